package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"
)

// ErrTooLarge is returned by Decode for a body longer than its limit. The
// server answers it with 413 and CodeTooLarge.
var ErrTooLarge = errors.New("wire: message too large")

// ErrMalformed wraps every error of Decode that is about the body itself
// (bad JSON, unknown field, trailing data, failed validation), as opposed
// to a failure to read it. The server answers it with 400 and
// CodeBadRequest.
var ErrMalformed = errors.New("wire: malformed message")

// Validator is a message that checks its own fields. Validate returns a
// *FieldError naming the first bad field, or nil.
type Validator interface {
	Validate() error
}

// Decode reads one JSON message of at most max bytes from r into v and
// validates it. A longer body is ErrTooLarge (and no more than max+1 bytes
// are read); unknown fields, a second value or trailing non-space data,
// and a failed validation are errors wrapping ErrMalformed that name the
// problem. v must be a pointer to a message.
func Decode(r io.Reader, max int64, v Validator) error {
	if max <= 0 {
		return fmt.Errorf("wire: decode: limit %d is not positive", max)
	}
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return fmt.Errorf("wire: decode: read: %w", err)
	}
	if int64(len(data)) > max {
		return fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	return decodeBytes(data, v)
}

// decodeBytes is Decode after the body was read whole.
func decodeBytes(data []byte, v Validator) error {
	if !json.Valid(data) {
		return malformed(syntaxProblem(data))
	}
	var err error
	if f, ok := v.(fastDecoder); ok {
		// The server decodes a thousand result batches a second.
		err = f.decodeFast(data)
	} else if u, ok := v.(json.Unmarshaler); ok {
		// The message streams its own lists; a Decoder would first
		// buffer the whole body again.
		err = u.UnmarshalJSON(data)
	} else {
		err = strictUnmarshal(data, v)
	}
	if err != nil {
		return malformed(err)
	}
	if err := v.Validate(); err != nil {
		return malformed(err)
	}
	return nil
}

// fastDecoder is a message with a faster decoder than its UnmarshalJSON
// (ResultBatch, and a type embedding it, such as the gateway's, which
// validates against its own clock).
type fastDecoder interface {
	decodeFast(data []byte) error
}

func malformed(err error) error {
	return fmt.Errorf("%w: %w", ErrMalformed, err)
}

// syntaxProblem says what is wrong with data, which is not valid JSON.
// json.Unmarshal checks the syntax before it builds anything.
func syntaxProblem(data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return errors.New("empty body")
	}
	err := json.Unmarshal(data, new(json.RawMessage))
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se) && strings.Contains(se.Error(), "after top-level value"):
		return fmt.Errorf("trailing data after the message at byte %d", se.Offset)
	case errors.As(err, &se) && strings.Contains(se.Error(), "unexpected end"):
		return errors.New("truncated JSON")
	case errors.As(err, &se):
		return fmt.Errorf("invalid JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	}
	return errors.New("invalid JSON")
}

// jsonProblem turns encoding/json's errors into ones that name the field
// in the same way FieldError does. Other errors pass unchanged.
func jsonProblem(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	var pe *time.ParseError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &te) && te.Field != "":
		return bad(te.Field, "must be %s", typeName(te.Type))
	case errors.As(err, &te):
		return fmt.Errorf("must be %s", typeName(te.Type))
	case errors.As(err, &se):
		return fmt.Errorf("invalid JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	case errors.As(err, &pe):
		return fmt.Errorf("a time must be written as RFC 3339, not %q", pe.Value)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("truncated JSON")
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return fmt.Errorf("unknown field %s", f)
	}
	if rest, ok := strings.CutPrefix(msg, "json: "); ok {
		return fmt.Errorf("invalid JSON: %s", rest)
	}
	return err
}

// typeName says in words what JSON a Go type takes.
func typeName(t reflect.Type) string {
	if t == nil {
		return "of another type"
	}
	if t == reflect.TypeFor[Duration]() {
		return durationWords
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint64, reflect.Uint32, reflect.Uint:
		return "a whole number in range"
	case reflect.Float64, reflect.Float32:
		return "a number"
	case reflect.Slice:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "of type " + t.String()
}

// Encode validates v and writes it as one line of JSON, so a side never
// sends what the other would refuse.
func Encode(w io.Writer, v Validator) error {
	if err := v.Validate(); err != nil {
		return fmt.Errorf("wire: encode: %w", err)
	}
	if err := json.NewEncoder(w).Encode(v); err != nil {
		return fmt.Errorf("wire: encode: %w", err)
	}
	return nil
}
