package yaml

import (
	"errors"
	"math"
	"strconv"
)

// resolve gives a plain scalar its value under the YAML 1.2 core schema
// (§10.3.2): null, bool, int (decimal, 0o octal, 0x hex), float or string.
// Numbers that do not fit an int64 or a float64 are errors, not strings.
func resolve(s string) (any, error) {
	switch s {
	case "", "~", "null", "Null", "NULL":
		return nil, nil
	case "true", "True", "TRUE":
		return true, nil
	case "false", "False", "FALSE":
		return false, nil
	case ".nan", ".NaN", ".NAN":
		return math.NaN(), nil
	}
	if v, ok := resolveInf(s); ok {
		return v, nil
	}
	switch {
	case len(s) > 2 && s[:2] == "0o" && allDigits(s[2:], 8):
		return parseInt(s, s[2:], 8)
	case len(s) > 2 && s[:2] == "0x" && allDigits(s[2:], 16):
		return parseInt(s, s[2:], 16)
	case isDecimal(s):
		return parseInt(s, s, 10)
	case isFloat(s):
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, errors.New("float " + s + " is out of range")
		}
		return f, nil
	}
	return s, nil
}

// resolveInf matches [-+]?\.(inf|Inf|INF).
func resolveInf(s string) (float64, bool) {
	sign := 1
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		if s[0] == '-' {
			sign = -1
		}
		s = s[1:]
	}
	switch s {
	case ".inf", ".Inf", ".INF":
		return math.Inf(sign), true
	}
	return 0, false
}

// parseInt parses digits in base and fails with the whole scalar s named.
func parseInt(s, digits string, base int) (any, error) {
	v, err := strconv.ParseInt(digits, base, 64)
	if errors.Is(err, strconv.ErrRange) {
		return nil, errors.New("integer " + s + " is out of range")
	}
	if err != nil {
		return nil, errors.New("integer " + s + ": " + err.Error())
	}
	return int(v), nil
}

// allDigits reports whether s is non-empty and all digits of base 8, 10 or 16.
func allDigits(s string, base int) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		h := hexValue(rune(c))
		if h < 0 || h >= base {
			return false
		}
	}
	return true
}

// isDecimal matches [-+]?[0-9]+.
func isDecimal(s string) bool {
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	return allDigits(s, 10)
}

// isFloat matches [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?.
func isFloat(s string) bool {
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	i := countDigits(s, 0)
	intDigits := i
	fracDigits := 0
	if i < len(s) && s[i] == '.' {
		j := countDigits(s, i+1)
		fracDigits = j - i - 1
		i = j
	}
	if intDigits == 0 && fracDigits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := countDigits(s, i)
		if j == i {
			return false
		}
		i = j
	}
	return i == len(s)
}

// countDigits returns the index of the first non-digit of s at or after i.
func countDigits(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}
