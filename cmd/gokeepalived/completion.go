package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/gokeepalived/gokeepalived/internal/cli"
)

// shellScript returns the writer of the completion script for shell.
func shellScript(shell string) (func(w io.Writer), bool) {
	switch shell {
	case "bash":
		return writeBash, true
	case "zsh":
		return writeZsh, true
	case "fish":
		return writeFish, true
	}
	return nil, false
}

// completionCommand is `gokeepalived completion bash|zsh|fish`.
func completionCommand() *cli.Command {
	c := cli.New("completion", "bash|zsh|fish", "print a shell completion script for bash, zsh or fish")
	c.Detail = "Prints a script that completes gokeepalived's commands and flags:\n" +
		"  bash: source <(gokeepalived completion bash)   (or save it in /etc/bash_completion.d/gokeepalived)\n" +
		"  zsh:  gokeepalived completion zsh > \"${fpath[1]}/_gokeepalived\"\n" +
		"  fish: gokeepalived completion fish > ~/.config/fish/completions/gokeepalived.fish"
	c.Exit = "0 printed, 2 usage"
	c.Run = func(args []string, stdout, stderr io.Writer) int {
		if len(args) != 1 {
			return c.UsageError(stderr, "name one shell: bash, zsh or fish")
		}
		write, ok := shellScript(args[0])
		if !ok {
			return c.UsageError(stderr, fmt.Sprintf("unknown shell %q (bash, zsh or fish)", args[0]))
		}
		write(stdout)
		return cli.ExitOK
	}
	return c
}

// visibleFlags lists fs's flags that help shows.
func visibleFlags(fs *pflag.FlagSet) []*pflag.Flag {
	var out []*pflag.Flag
	fs.VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			out = append(out, f)
		}
	})
	return out
}

// takesValue reports whether a flag needs a value after it.
func takesValue(f *pflag.Flag) bool { return f.Value.Type() != "bool" && f.NoOptDefVal == "" }

// flagWords are a flag set's flags as typed: --name, then -x.
func flagWords(fs *pflag.FlagSet) []string {
	var words []string
	for _, f := range visibleFlags(fs) {
		words = append(words, "--"+f.Name)
		if f.Shorthand != "" {
			words = append(words, "-"+f.Shorthand)
		}
	}
	return words
}

// completionArgs are the words completed after a command's flags: the
// commands after help, the shells after completion; nil means files.
func completionArgs(c *cli.Command) []string {
	switch c.Name {
	case "help":
		return commandNames()
	case "completion":
		return []string{"bash", "fish", "zsh"}
	}
	return nil
}

// commandNames lists the visible subcommands.
func commandNames() []string {
	var names []string
	for _, c := range commands() {
		if !c.Hidden {
			names = append(names, c.Name)
		}
	}
	return names
}

// valueFlags are every flag, of the daemon and the commands, that takes a
// value, as typed (the scripts skip the word after them).
func valueFlags() []string {
	seen := map[string]bool{}
	var out []string
	add := func(fs *pflag.FlagSet) {
		for _, f := range visibleFlags(fs) {
			if !takesValue(f) {
				continue
			}
			for _, w := range []string{"--" + f.Name, "-" + f.Shorthand} {
				if w != "-" && !seen[w] {
					seen[w] = true
					out = append(out, w)
				}
			}
		}
	}
	add(newFlagSet(&Options{}, io.Discard))
	for _, c := range commands() {
		add(c.Flags)
	}
	return out
}

func writeBash(w io.Writer) {
	fmt.Fprintf(w, `# bash completion for gokeepalived (gokeepalived completion bash)
_gokeepalived() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd= i words=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		%s) ((i++)) ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	case $prev in
	%s) return ;; # a value: files, by -o default
	esac
	case $cmd in
`, strings.Join(valueFlags(), "|"), strings.Join(valueFlags(), "|"))
	for _, c := range commands() {
		if c.Hidden {
			continue
		}
		fmt.Fprintf(w, "\t%s)\n\t\tif [[ $cur == -* ]]; then words=%q; else words=%q; fi ;;\n",
			c.Name, joinWords(flagWords(c.Flags)), joinWords(completionArgs(c)))
	}
	fmt.Fprintf(w, "\t*)\n\t\tif [[ $cur == -* ]]; then words=%q; else words=%q; fi ;;\n\tesac\n",
		joinWords(flagWords(newFlagSet(&Options{}, io.Discard))), joinWords(commandNames()))
	fmt.Fprint(w, "\tCOMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n}\ncomplete -o default -F _gokeepalived gokeepalived\n")
}

// zshSpec is one flag as a zsh _arguments spec.
func zshSpec(f *pflag.Flag) []string {
	help := zshQuote(f.Usage)
	val := ""
	if takesValue(f) {
		val = ":" + f.Name + ":_files"
	}
	specs := []string{"'--" + f.Name + "[" + help + "]" + val + "'"}
	if f.Shorthand != "" {
		specs = append(specs, "'-"+f.Shorthand+"["+help+"]"+val+"'")
	}
	return specs
}

// zshQuote makes s safe inside '...[s]' of an _arguments spec.
func zshQuote(s string) string {
	return strings.NewReplacer("'", "'\\''", "[", "(", "]", ")", ":", " ").Replace(s)
}

func writeZsh(w io.Writer) {
	fmt.Fprint(w, "#compdef gokeepalived\n# zsh completion for gokeepalived (gokeepalived completion zsh)\n\n_gokeepalived() {\n\tlocal -a cmds\n\tcmds=(\n")
	for _, c := range commands() {
		if !c.Hidden {
			fmt.Fprintf(w, "\t\t'%s:%s'\n", c.Name, zshQuote(c.Summary))
		}
	}
	fmt.Fprint(w, "\t)\n\tlocal cmd= i\n\tfor ((i = 2; i < CURRENT; i++)); do\n\t\tif [[ ${words[i]} != -* ]] && (( ${cmds[(I)${words[i]}:*]} )); then cmd=${words[i]}; break; fi\n\tdone\n\tcase $cmd in\n")
	for _, c := range commands() {
		if c.Hidden {
			continue
		}
		var specs []string
		for _, f := range visibleFlags(c.Flags) {
			specs = append(specs, zshSpec(f)...)
		}
		rest := "'*:file:_files'"
		if args := completionArgs(c); args != nil {
			rest = "'*:" + c.Name + ":(" + joinWords(args) + ")'"
		}
		fmt.Fprintf(w, "\t%s)\n\t\tshift $((i - 1)) words; (( CURRENT -= i - 1 ))\n\t\t_arguments -s %s %s ;;\n", c.Name, joinWords(specs), rest)
	}
	var specs []string
	for _, f := range visibleFlags(newFlagSet(&Options{}, io.Discard)) {
		specs = append(specs, zshSpec(f)...)
	}
	fmt.Fprintf(w, "\t*)\n\t\t_arguments -s %s '1:command:((${cmds}))' ;;\n\tesac\n}\n\n_gokeepalived \"$@\"\n", joinWords(specs))
}

// fishQuote makes s one single-quoted fish word.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}

// fishFlag is one `complete` line for flag f under condition cond.
func fishFlag(cond string, f *pflag.Flag) string {
	line := "complete -c gokeepalived -n " + fishQuote(cond)
	if f.Shorthand != "" {
		line += " -s " + f.Shorthand
	}
	line += " -l " + f.Name
	if takesValue(f) {
		line += " -r"
	}
	return line + " -d " + fishQuote(f.Usage)
}

func writeFish(w io.Writer) {
	fmt.Fprint(w, "# fish completion for gokeepalived (gokeepalived completion fish)\n")
	for _, c := range commands() {
		if !c.Hidden {
			fmt.Fprintf(w, "complete -c gokeepalived -n __fish_use_subcommand -f -a %s -d %s\n", c.Name, fishQuote(c.Summary))
		}
	}
	for _, f := range visibleFlags(newFlagSet(&Options{}, io.Discard)) {
		fmt.Fprintln(w, fishFlag("__fish_use_subcommand", f))
	}
	for _, c := range commands() {
		if c.Hidden {
			continue
		}
		cond := "__fish_seen_subcommand_from " + c.Name
		for _, f := range visibleFlags(c.Flags) {
			fmt.Fprintln(w, fishFlag(cond, f))
		}
		if args := completionArgs(c); args != nil {
			fmt.Fprintf(w, "complete -c gokeepalived -n %s -f -a %s\n", fishQuote(cond), fishQuote(joinWords(args)))
		}
	}
}

// joinWords joins words with spaces.
func joinWords(words []string) string { return strings.Join(words, " ") }
