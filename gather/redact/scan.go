package redact

import "strings"

// The checks below run where a trigger word ends (end is the index just
// past it) and return the byte range of the secret to mask.

// kvValue recognises `name: value`, `name=value`, `"name": "value"` and
// `\"name\":\"value\"` right after a credential-like name. Quoted values
// keep their quotes.
func kvValue(b []byte, end int) (int, int, bool) {
	i := end
	if i < len(b) && b[i] == '\\' {
		i++
	}
	if i < len(b) && (b[i] == '"' || b[i] == '\'') {
		i++
	}
	i = skipBlanks(b, i)
	if i >= len(b) || (b[i] != ':' && b[i] != '=') {
		return 0, 0, false
	}
	i = skipBlanks(b, i+1)
	if i >= len(b) {
		return 0, 0, false
	}
	switch {
	case b[i] == '\\' && i+1 < len(b) && b[i+1] == '"':
		return quotedValue(b, i+2, '"')
	case b[i] == '"' || b[i] == '\'':
		return quotedValue(b, i+1, b[i])
	}
	j := i
	for j < len(b) && !isDelim(b[j]) {
		j++
	}
	return i, j, j > i
}

// quotedValue spans from start to the closing quote (or a backslash, or the
// end of the line when the quote is never closed).
func quotedValue(b []byte, start int, q byte) (int, int, bool) {
	j := start
	for j < len(b) && b[j] != q && b[j] != '\\' && b[j] != '\n' && b[j] != '\r' {
		j++
	}
	return start, j, j > start
}

func skipBlanks(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	return i
}

func isDelim(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\v', '\f', '"', '\'', ',', ';', '&', '}', ']', ')':
		return true
	}
	return false
}

func isWord(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// authValue recognises "Bearer <token>" and "Basic <credentials>" (8+
// characters of token68).
func authValue(b []byte, end int) (int, int, bool) {
	start := end - len("bearer")
	if strings.EqualFold(string(b[end-len("basic"):end]), "basic") {
		start = end - len("basic")
	}
	if start > 0 && isWord(b[start-1]) {
		return 0, 0, false
	}
	i := end
	if i >= len(b) || (b[i] != ' ' && b[i] != '\t') {
		return 0, 0, false
	}
	i = skipBlanks(b, i)
	j := i
	for j < len(b) && isToken68(b[j]) {
		j++
	}
	if j-i < 8 {
		return 0, 0, false
	}
	for j < len(b) && b[j] == '=' {
		j++
	}
	return i, j, true
}

func isToken68(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/'
}

// awsKeyID recognises AKIA/ASIA followed by 16 upper-case letters or digits,
// as a whole word.
func awsKeyID(b []byte, end int) (int, int, bool) {
	start := end - 4
	if p := string(b[start:end]); p != "AKIA" && p != "ASIA" {
		return 0, 0, false
	}
	if start > 0 && isWord(b[start-1]) {
		return 0, 0, false
	}
	j := end
	for j < len(b) && j-end < 16 && (b[j] >= 'A' && b[j] <= 'Z' || b[j] >= '0' && b[j] <= '9') {
		j++
	}
	if j-end != 16 || (j < len(b) && isWord(b[j])) {
		return 0, 0, false
	}
	return start, j, true
}

// jwt recognises a JSON web token: eyJ<b64url>.eyJ<b64url>.<b64url>.
func jwt(b []byte, end int) (int, int, bool) {
	start := end - 3
	if string(b[start:end]) != "eyJ" {
		return 0, 0, false
	}
	j := b64url(b, end)
	if j-end < 6 || j+3 >= len(b) || b[j] != '.' || string(b[j+1:j+4]) != "eyJ" {
		return 0, 0, false
	}
	k := b64url(b, j+4)
	if k-(j+4) < 6 || k >= len(b) || b[k] != '.' {
		return 0, 0, false
	}
	return start, b64url(b, k+1), true
}

func b64url(b []byte, i int) int {
	for i < len(b) && (b[i] >= 'a' && b[i] <= 'z' || b[i] >= 'A' && b[i] <= 'Z' || b[i] >= '0' && b[i] <= '9' || b[i] == '-' || b[i] == '_') {
		i++
	}
	return i
}

// urlPassword recognises the password of scheme://user:password@host.
func urlPassword(b []byte, end int) (int, int, bool) {
	i := end
	for i < len(b) && !isURLStop(b[i]) && b[i] != ':' {
		i++
	}
	if i >= len(b) || b[i] != ':' || i == end {
		return 0, 0, false
	}
	j := i + 1
	for j < len(b) && !isURLStop(b[j]) {
		j++
	}
	if j >= len(b) || b[j] != '@' || j == i+1 {
		return 0, 0, false
	}
	return i + 1, j, true
}

func isURLStop(c byte) bool {
	switch c {
	case '@', '/', ' ', '\t', '\n', '\r', '"', '\'', '<', '>':
		return true
	}
	return false
}
