package checks

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// A transaction sends its requests only to literal origins: the target's
// and those that step URLs write out in full, which the server sees when a
// monitor is saved and guards (a stored password is not kept when an edit
// adds one). A host that appears only at run time, in a variable's value,
// is one no one checked: an editor who does not know the password could
// otherwise pick it through {{username}} ("{{username}}//evil.example/")
// and have the password, or a session token taken from an answer, sent
// there.

// txOrigin is what of a URL says where a request goes: scheme, host and
// port, spelled one way ("https://app.example:443"), compared exactly.
type txOrigin string

// originOf returns u's origin, the scheme's port made explicit.
func originOf(u *url.URL) txOrigin {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[scheme]
	}
	return txOrigin(scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port))
}

// hostPort is the origin as a message names it: "evil.example:443".
func (o txOrigin) hostPort() string {
	_, hp, _ := strings.Cut(string(o), "://")
	return hp
}

// txOrigins is a set of literal origins.
type txOrigins map[txOrigin]bool

// stepURLOrigin looks at a step's URL when it is saved. It returns the
// URL's literal origin, or "" when the URL is relative (resolved against
// the target) or starts with a variable (judged at run time); or what is
// wrong when a variable would choose the scheme, host or port.
//
// Every reference is put in twice, as "0" and as "1": when the two URLs
// differ in scheme, host or port, a variable's value takes part in them.
func stepURLOrigin(t txTemplate) (txOrigin, string) {
	if t.startsWithRef() {
		return "", ""
	}
	a, errA := url.Parse(t.withPlaceholder("0"))
	b, errB := url.Parse(t.withPlaceholder("1"))
	switch {
	case errA != nil:
		return "", "not a URL: " + strings.TrimPrefix(errA.Error(), "parse ")
	case errB != nil:
		return "", "not a URL: " + strings.TrimPrefix(errB.Error(), "parse ")
	case a.Scheme != b.Scheme || a.Host != b.Host:
		return "", "a variable may not choose the host: write the scheme, host and port out, e.g. https://app.example/{{path}}"
	case a.Scheme == "" && a.Host == "":
		return "", ""
	}
	return originOf(a), ""
}

// refuse returns why req may not be sent, or "": it goes to an origin
// that is neither the target's nor written out in a step URL, so a
// variable chose it. URLs whose host is a variable are refused when the
// monitor is saved; this catches the rest ("{{next}}", and values that
// turn "/{{path}}" into "//evil.example/") after substitution.
func (r *txRun) refuse(req *http.Request, sendsPw bool) string {
	o := originOf(req.URL)
	switch {
	case r.literal(o):
		return ""
	case sendsPw:
		return fmt.Sprintf("the password is not sent to %s: only to hosts the steps name", o.hostPort())
	}
	return fmt.Sprintf("the url leads to %s, a host the steps do not name: a variable may not choose the host", o.hostPort())
}

// literal reports whether o is the target's origin or one a step URL
// writes out.
func (r *txRun) literal(o txOrigin) bool {
	return o == r.target || r.c.origins[o]
}

// txRedirectRefused is the failure of a step whose redirect would take
// the password to a host the steps do not name.
type txRedirectRefused struct{ to *url.URL }

func (e *txRedirectRefused) Error() string {
	// Scheme and host only: the rest of a Location may echo the password.
	return fmt.Sprintf("redirect to %s://%s/ not followed: the step sends the password", e.to.Scheme, e.to.Host)
}
