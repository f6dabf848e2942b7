package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// defaultDotenv is the file read when APIKEYROUTER_DOTENV is unset or
// empty: .env in the working directory, as LLM-API-Key-Proxy reads it.
const defaultDotenv = ".env"

// Dotenv says what the .env file did to the environment Load read.
type Dotenv struct {
	// Path is the file's absolute path; empty when no file was read (none
	// in the working directory, or APIKEYROUTER_DOTENV=off).
	Path string
	// Set counts the variables the file set; AlreadySet those it also
	// names but the environment had already set, which it never overrides.
	Set, AlreadySet int
	// vars are the names of the variables the file set.
	vars map[string]bool
}

// readDotenv completes env from the .env file APIKEYROUTER_DOTENV names
// (default .env, which may be missing; off: none), never overriding a
// variable env already has.
func readDotenv(env map[string]string) (Dotenv, error) {
	path := env["APIKEYROUTER_DOTENV"]
	if strings.EqualFold(path, "off") {
		return Dotenv{}, nil
	}
	explicit := path != ""
	if !explicit {
		path = defaultDotenv
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return Dotenv{}, nil
	}
	if err != nil {
		return Dotenv{}, fmt.Errorf("APIKEYROUTER_DOTENV: %w", err)
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	vars, err := parseDotenv(b)
	if err != nil {
		return Dotenv{}, fmt.Errorf(".env file %s: %w (set APIKEYROUTER_DOTENV=off not to read it)", path, err)
	}
	d := Dotenv{Path: path, vars: map[string]bool{}}
	for _, kv := range vars {
		if _, set := env[kv[0]]; set && !d.vars[kv[0]] {
			d.AlreadySet++
			continue
		}
		if !d.vars[kv[0]] {
			d.Set++
		}
		d.vars[kv[0]] = true
		env[kv[0]] = kv[1]
	}
	return d, nil
}

// dotenvName is a variable name a .env line may set.
var dotenvName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// parseDotenv reads KEY=VALUE lines in python-dotenv's style (what
// LLM-API-Key-Proxy uses): blank lines and # comments are skipped, an
// "export " prefix is allowed, a value may be single-quoted (\' and \\
// escaped) or double-quoted (\n, \t, \" … escaped too), and an unquoted
// value ends at a " #" comment. ${VAR} is not expanded. A later line
// setting the same name wins. A malformed line's error names its number,
// never its text: the text may be a secret.
func parseDotenv(b []byte) ([][2]string, error) {
	var out [][2]string
	for i, raw := range strings.Split(string(b), "\n") {
		line := strings.TrimSpace(raw)
		if i == 0 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		if line == "" || line[0] == '#' {
			continue
		}
		if rest, ok := strings.CutPrefix(line, "export"); ok && rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
			line = strings.TrimSpace(rest)
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: want NAME=VALUE", i+1)
		}
		if !dotenvName.MatchString(strings.TrimSpace(name)) {
			return nil, fmt.Errorf("line %d: the text before = is not a variable name", i+1)
		}
		v, err := dotenvValue(strings.TrimLeft(value, " \t"))
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		out = append(out, [2]string{strings.TrimSpace(name), v})
	}
	return out, nil
}

// dotenvComment is the comment that ends an unquoted value.
var dotenvComment = regexp.MustCompile(`[ \t]+#.*`)

// dotenvEscapes are the escapes a double-quoted value may hold; a
// single-quoted one holds only \' and \\.
var dotenvEscapes = map[byte]byte{'\\': '\\', '"': '"', '\'': '\'', 'n': '\n', 't': '\t', 'r': '\r',
	'a': '\a', 'b': '\b', 'f': '\f', 'v': '\v'}

// dotenvValue reads the value after NAME=.
func dotenvValue(s string) (string, error) {
	if s == "" || (s[0] != '"' && s[0] != '\'') {
		return strings.TrimSpace(dotenvComment.ReplaceAllString(s, "")), nil
	}
	quote := s[0]
	var v strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		if c == quote {
			if rest := strings.TrimSpace(s[i+1:]); rest != "" && rest[0] != '#' {
				return "", errors.New("text after the closing quote")
			}
			return v.String(), nil
		}
		if c == '\\' && i+1 < len(s) {
			next := s[i+1]
			if e, ok := dotenvEscapes[next]; ok && (quote == '"' || next == '\\' || next == '\'') {
				v.WriteByte(e)
				i++
				continue
			}
		}
		v.WriteByte(c)
	}
	return "", errors.New("the quoted value does not end on its line")
}
