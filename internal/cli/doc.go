// Package cli holds the conventions every gokeepalived subcommand shares:
// one help layout (usage line, description, flags, exit status), help on
// stdout for -h and `gokeepalived help NAME`, flag errors on stderr with
// exit 2 and a "did you mean" for a mistyped flag, and the closest-word
// suggestion also used for mistyped subcommands and config keywords.
//
// It must not know any particular subcommand: each package that owns one
// builds its Command, and cmd/gokeepalived lists them.
package cli
