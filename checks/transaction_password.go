package checks

import (
	"cmp"
	"html"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// passwordForms lists the spellings of the password that a page or a
// message may carry: as it is, URL-encoded, HTML-escaped, and escaped
// as %q escapes it. Longest first, so that hiding a short form never
// breaks a longer one apart. Nil when there is no password to protect.
func passwordForms(pw string) []string {
	if pw == "" {
		return nil
	}
	quoted := strconv.Quote(pw)
	var forms []string
	for _, f := range []string{pw, url.QueryEscape(pw), url.PathEscape(pw), html.EscapeString(pw), quoted[1 : len(quoted)-1]} {
		if !slices.Contains(forms, f) {
			forms = append(forms, f)
		}
	}
	slices.SortStableFunc(forms, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return forms
}

// holdsPassword reports whether s contains one of the password's forms.
func holdsPassword(s string, forms []string) bool {
	for _, f := range forms {
		if strings.Contains(s, f) {
			return true
		}
	}
	return false
}

// txSecret is the password as a checker guards it, worked out once when
// the checker is made: its forms, and a replacer that hides them.
type txSecret struct {
	forms []string          // nil when there is no password
	hider *strings.Replacer // nil when there is no password
}

func newTxSecret(pw string) txSecret {
	forms := passwordForms(pw)
	if forms == nil {
		return txSecret{}
	}
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f, "{{password}}")
	}
	// One pass, so that a form found inside an inserted {{password}}
	// ("pass") is not replaced again.
	return txSecret{forms: forms, hider: strings.NewReplacer(pairs...)}
}

// hide replaces every form of the password in a message with
// {{password}}. It is the last line behind shown: whatever path a value
// takes into a result, the result never holds the password.
func (s txSecret) hide(msg string) string {
	if s.hider == nil {
		return msg
	}
	return s.hider.Replace(msg)
}

// sendsPassword reports whether the step's request carries the password
// with these variables: {{password}} itself, a variable whose value holds
// it, or texts whose values together spell it ("{{a}}{{b}}").
func (st *txStep) sendsPassword(vars map[string]string, secret txSecret) bool {
	if secret.forms == nil {
		return false
	}
	for _, use := range st.sends {
		for _, name := range use.t.refs() {
			if name == "password" || holdsPassword(vars[name], secret.forms) {
				return true
			}
		}
		if use.t.hasRefs() && holdsPassword(use.t.expand(vars), secret.forms) {
			return true
		}
	}
	return false
}
