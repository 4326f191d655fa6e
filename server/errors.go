package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/checks"
)

// maxBody caps every request body the server reads.
const maxBody = 1 << 20

// apiError is an error with the HTTP status and the field at fault; the
// API writes it as {"error","field"}.
type apiError struct {
	Status     int
	Msg        string
	Field      string
	RetryAfter time.Duration // sent as Retry-After with a 429
}

func (e *apiError) Error() string { return e.Msg }

func badRequest(field, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Field: field, Msg: fmt.Sprintf(format, args...)}
}

func errStatus(status int, msg string) *apiError {
	return &apiError{Status: status, Msg: msg}
}

// writeJSON writes v with the status code. v is encoded before anything
// is written, so a value that cannot be encoded (a bug) becomes a logged
// 500 rather than a success status with half a body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		slog.Error("api: response not encodable", "type", fmt.Sprintf("%T", v), "err", err)
		buf.Reset()
		status = http.StatusInternalServerError
		_ = json.NewEncoder(&buf).Encode(map[string]string{"error": "the server could not complete the request; the error is in its log"})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// writeError writes err as the API's error body. Errors that are not an
// *apiError are internal: logged by the caller, shown as a 500 without detail.
func writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = errStatus(http.StatusInternalServerError, "the server could not complete the request; the error is in its log")
	}
	if ae.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(ae.RetryAfter.Seconds()+0.999)))
	}
	body := map[string]string{"error": ae.Msg}
	if ae.Field != "" {
		body["field"] = ae.Field
	}
	writeJSON(w, ae.Status, body)
}

// settingError turns a check-registry validation error into a 400.
func settingError(err error) error {
	var se *checks.SettingError
	if errors.As(err, &se) {
		return badRequest(se.Field, "%s", se.Error())
	}
	return badRequest("settings", "%s", err.Error())
}

// decodeJSON reads one JSON object from the body into dst, refusing
// unknown fields, trailing data and bodies over maxBody. The Content-Type
// is not checked: the API authenticates with bearer tokens, not cookies,
// so a cross-site form cannot use it, and `curl -d` just works.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonDecodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("", "the body must hold exactly one JSON object")
	}
	return nil
}

func jsonDecodeError(err error) error {
	var maxErr *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &maxErr):
		return &apiError{Status: http.StatusRequestEntityTooLarge, Msg: fmt.Sprintf("the body is larger than %d bytes", maxErr.Limit)}
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return badRequest("", "the body must be a JSON object, not a JSON %s", typeErr.Value)
		}
		return badRequest(typeErr.Field, "%s must be %s, not a JSON %s", typeErr.Field, kindName(typeErr.Type), typeErr.Value)
	case errors.As(err, &syntaxErr):
		return badRequest("", "the body is not valid JSON (at byte %d)", syntaxErr.Offset)
	case errors.Is(err, io.EOF):
		return badRequest("", "the body is empty; send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("", "the body is not valid JSON (it ends too early)")
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return badRequest(name, "unknown field %q", name)
	}
	return badRequest("", "the body is not valid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}

// kindName says in words what JSON a Go type takes.
func kindName(t reflect.Type) string {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list of " + strings.TrimPrefix(strings.TrimPrefix(kindName(t.Elem()), "a "), "an ") + "s"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a JSON value of another kind"
}
