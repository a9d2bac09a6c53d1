package main

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// modelJSON writes v (the config model) as JSON for `check --json`: field
// names in snake_case, durations as seconds (a number, the name ending in
// _seconds), types with their own text or JSON form as that, and fields
// tagged json:"-" or empty with omitempty left out, typed enums by name. The model itself keeps
// Go names, so its other users are not tied to this format.
func modelJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := encodeModel(&b, reflect.ValueOf(v)); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

var (
	durationType  = reflect.TypeFor[time.Duration]()
	marshalerType = reflect.TypeFor[json.Marshaler]()
	textType      = reflect.TypeFor[encoding.TextMarshaler]()
)

// encodeModel appends v's JSON to b.
func encodeModel(b *bytes.Buffer, v reflect.Value) error {
	if !v.IsValid() {
		b.WriteString("null")
		return nil
	}
	t := v.Type()
	switch {
	case t == durationType:
		b.WriteString(strconv.FormatFloat(time.Duration(v.Int()).Seconds(), 'f', -1, 64))
		return nil
	case t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface && (t.Implements(marshalerType) || t.Implements(textType)):
		j, err := json.Marshal(v.Interface())
		if err != nil {
			return err
		}
		b.Write(j)
		return nil
	}
	if s, ok := v.Interface().(fmt.Stringer); ok && isInteger(t.Kind()) && t.PkgPath() != "" {
		j, _ := json.Marshal(s.String()) // a typed enum: its name, not its number
		b.Write(j)
		return nil
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			b.WriteString("null")
			return nil
		}
		return encodeModel(b, v.Elem())
	case reflect.Struct:
		return encodeStruct(b, v)
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			break // bytes: base64, as encoding/json
		}
		b.WriteByte('[')
		for i := range v.Len() {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := encodeModel(b, v.Index(i)); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	case reflect.Map:
		return encodeMap(b, v)
	}
	j, err := json.Marshal(v.Interface())
	if err != nil {
		return err
	}
	b.Write(j)
	return nil
}

// encodeStruct writes a struct's exported fields in order; embedded
// structs' fields are written in place, as encoding/json does.
func encodeStruct(b *bytes.Buffer, v reflect.Value) error {
	b.WriteByte('{')
	first := true
	var fields func(v reflect.Value) error
	fields = func(v reflect.Value) error {
		t := v.Type()
		for i := range t.NumField() {
			f, fv := t.Field(i), v.Field(i)
			tag := f.Tag.Get("json")
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
				if err := fields(fv); err != nil {
					return err
				}
				continue
			}
			omit := strings.Contains(","+opts+",", ",omitempty,") || strings.Contains(","+opts+",", ",omitzero,")
			if !f.IsExported() || name == "-" || omit && fv.IsZero() {
				continue
			}
			if name == "" {
				name = snakeCase(f.Name)
			}
			isDur := f.Type == durationType || f.Type.Kind() == reflect.Pointer && f.Type.Elem() == durationType
			if isDur && !strings.HasSuffix(name, "_seconds") {
				name += "_seconds"
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			j, _ := json.Marshal(name)
			b.Write(j)
			b.WriteByte(':')
			if err := encodeModel(b, fv); err != nil {
				return fmt.Errorf("%s: %w", f.Name, err)
			}
		}
		return nil
	}
	if err := fields(v); err != nil {
		return err
	}
	b.WriteByte('}')
	return nil
}

// encodeMap writes a map with its keys sorted, as encoding/json does.
func encodeMap(b *bytes.Buffer, v reflect.Value) error {
	if v.IsNil() {
		b.WriteString("null")
		return nil
	}
	keys := map[string]reflect.Value{}
	for _, k := range v.MapKeys() {
		var s string
		if tm, ok := k.Interface().(encoding.TextMarshaler); ok {
			t, err := tm.MarshalText()
			if err != nil {
				return err
			}
			s = string(t)
		} else {
			s = fmt.Sprint(k.Interface())
		}
		keys[s] = v.MapIndex(k)
	}
	b.WriteByte('{')
	for i, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range keys {
			if !yield(k) {
				return
			}
		}
	}) {
		if i > 0 {
			b.WriteByte(',')
		}
		j, _ := json.Marshal(k)
		b.Write(j)
		b.WriteByte(':')
		if err := encodeModel(b, keys[k]); err != nil {
			return err
		}
	}
	b.WriteByte('}')
	return nil
}

// snakeCase turns a Go name into snake_case: VRID -> vrid, AdvertInt ->
// advert_int, SMTPServer -> smtp_server, IPv6Addr -> ipv6_addr, VIPs ->
// vips.
func snakeCase(s string) string {
	s = strings.NewReplacer("IPv4", "Ipv4", "IPv6", "Ipv6", "VRRPv", "Vrrpv", "NFTables", "Nftables", "IPVlan", "Ipvlan").Replace(s)
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) {
			// A new word starts after a lower case letter or a digit, or at
			// the last capital of an acronym followed by a word ("SMTPServer"),
			// but not before a plural s ("VIPs", "NoVirtualIPs").
			plural := i+1 < len(r) && r[i+1] == 's' && (i+2 == len(r) || unicode.IsUpper(r[i+2]))
			if i > 0 && (unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1]) ||
				unicode.IsUpper(r[i-1]) && i+1 < len(r) && unicode.IsLower(r[i+1]) && !plural) {
				b.WriteByte('_')
			}
			c = unicode.ToLower(c)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// isInteger reports whether k is an integer kind.
func isInteger(k reflect.Kind) bool {
	return k >= reflect.Int && k <= reflect.Uintptr
}
