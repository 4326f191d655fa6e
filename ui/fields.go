package ui

import (
	"strings"

	"github.com/a-h/templ"
)

// fieldAttrs gives a form control its id, name and the ARIA attributes that
// tie it to its error message and hint, so screen readers announce both.
func fieldAttrs(errs map[string]string, name string, hint bool) templ.Attributes {
	a := templ.Attributes{"id": fieldID(name), "name": name}
	var desc []string
	if _, ok := errs[name]; ok {
		a["aria-invalid"] = "true"
		desc = append(desc, errID(name))
	}
	if hint {
		desc = append(desc, hintID(name))
	}
	if len(desc) > 0 {
		a["aria-describedby"] = strings.Join(desc, " ")
	}
	return a
}

func hintID(name string) string {
	return fieldID(name) + "-hint"
}

// currentPage marks the link to the page (or filter) being shown, for
// screen readers and for the highlighted style.
func currentPage(current bool) templ.Attributes {
	if current {
		return templ.Attributes{"aria-current": "page"}
	}
	return templ.Attributes{}
}

// oobSwap marks an element of an htmx fragment as an out-of-band swap that
// replaces the element with the same id. Only the value "true" works: htmx
// 2 treats a bare hx-swap-oob as no swap at all.
func oobSwap(oob bool) templ.Attributes {
	if oob {
		return templ.Attributes{"hx-swap-oob": "true"}
	}
	return templ.Attributes{}
}
