package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/vigil-monitor/vigil/ui"
)

// formErrors turns a validation error into messages beside the form's
// fields: every problem of a fieldErrors, each under the form field that
// rename gives for the API's field (nil keeps it). ok is false when err
// is not about the input (a 500 or 404), which the caller returns.
func formErrors(err error, rename func(string) string) (map[string]string, bool) {
	list := []error{err}
	if fe, ok := err.(fieldErrors); ok {
		list = fe
	}
	shown := map[string]string{}
	for _, e := range list {
		var ae *apiError
		if !errors.As(e, &ae) || (ae.Status != http.StatusBadRequest && ae.Status != http.StatusConflict) {
			return nil, false
		}
		field := ae.Field
		if rename != nil {
			field = rename(field)
		}
		// Beside its field a message need not name the field again.
		msg := strings.TrimPrefix(ae.Msg, ae.Field+": ")
		if _, dup := shown[field]; !dup {
			shown[field] = capitalize(msg)
		}
	}
	if _, ok := shown[""]; !ok && len(shown) > 0 {
		shown[""] = "Nothing was saved: fix the fields marked below."
	}
	return shown, true
}

// joinFieldErrors puts the problems of several validations in one list,
// the first error's first: formErrors shows one message per field.
func joinFieldErrors(errs ...error) error {
	var out fieldErrors
	for _, err := range errs {
		if fe, ok := err.(fieldErrors); ok {
			out = append(out, fe...)
		} else {
			out.add(err)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// canEdit and canAdmin say what the signed-in user may change.
func canEdit(rc *reqCtx) bool  { return roleRank(rc.user.Role) >= roleRank(roleEditor) }
func canAdmin(rc *reqCtx) bool { return roleRank(rc.user.Role) >= roleRank(roleAdmin) }

// targetOptions are the contacts, then the groups, as checkboxes.
func (d *directory) targetOptions() []ui.Option {
	out := d.contactOptions()
	for _, g := range d.groups {
		out = append(out, ui.Option{Value: g.ID, Label: g.Name, Hint: "group · " + plural(len(g.Members), "member", "members")})
	}
	return out
}

// contactOptions are the contacts, as checkboxes.
func (d *directory) contactOptions() []ui.Option {
	out := make([]ui.Option, 0, len(d.contacts)+len(d.groups))
	for _, c := range d.contacts {
		out = append(out, ui.Option{Value: c.ID, Label: c.Name, Hint: c.Type})
	}
	return out
}

// policyOptions are the escalation policies, for a select.
func (d *directory) policyOptions() []ui.Option {
	out := make([]ui.Option, 0, len(d.policies))
	for _, p := range d.policies {
		out = append(out, ui.Option{Value: p.ID, Label: p.Name, Hint: plural(len(p.Steps), "step", "steps")})
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// splitList reads a comma-separated form field.
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
