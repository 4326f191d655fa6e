package checks

import (
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gosnmp/gosnmp"
)

// snmpValue is one answered object as the conditions see it.
type snmpValue struct {
	typ     gosnmp.Asn1BER
	text    string  // what contains and regex match, and messages show
	num     float64 // the number, when numeric
	numeric bool
	// counter is the raw value of a Counter32 (masked to 32 bits) or a
	// Counter64, for rates; bits is 32 or 64 then, else 0.
	counter uint64
	bits    int
}

// snmpMissing reports whether the agent answered that it has no such
// object, and how to say so.
func snmpMissing(t gosnmp.Asn1BER) (string, bool) {
	switch t {
	case gosnmp.NoSuchObject:
		return "no such object on this agent (noSuchObject)", true
	case gosnmp.NoSuchInstance:
		return "no such instance on this agent (noSuchInstance)", true
	case gosnmp.EndOfMibView:
		return "no such object on this agent (endOfMibView)", true
	case gosnmp.Null:
		return "the agent answered Null (no value)", true
	}
	return "", false
}

// newSNMPValue converts what gosnmp decoded. It never panics, whatever the
// agent sent: an unexpected Go type reads as text with no number.
func newSNMPValue(pdu gosnmp.SnmpPDU) snmpValue {
	v := snmpValue{typ: pdu.Type}
	switch pdu.Type {
	case gosnmp.OctetString, gosnmp.Opaque, gosnmp.BitString:
		b, _ := pdu.Value.([]byte)
		v.text = snmpText(b)
		if f, err := strconv.ParseFloat(strings.TrimSpace(v.text), 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			// Some MIBs publish numbers as strings (UCD's laLoad "0.15").
			v.num, v.numeric = f, true
		}
		return v
	case gosnmp.ObjectIdentifier, gosnmp.IPAddress:
		s, _ := pdu.Value.(string)
		v.text = s
		return v
	}
	n, ok := snmpNumeric(pdu.Value)
	if !ok {
		return v
	}
	v.num, v.numeric = n, true
	switch pdu.Type {
	case gosnmp.TimeTicks:
		// Hundredths of a second: seconds read better in conditions.
		v.num = n / 100
	case gosnmp.Counter32:
		if u, ok := snmpUint(pdu.Value); ok {
			v.counter, v.bits = u&math.MaxUint32, 32
			v.num = float64(v.counter)
		}
	case gosnmp.Counter64:
		if u, ok := snmpUint(pdu.Value); ok {
			v.counter, v.bits = u, 64
		}
	}
	v.text = snmpNumber(v.num)
	if v.bits > 0 {
		// Exact: a float64 rounds counters above 2^53.
		v.text = strconv.FormatUint(v.counter, 10)
	}
	return v
}

// snmpNumeric turns the numeric Go types gosnmp decodes into a float.
func snmpNumeric(x any) (float64, bool) {
	switch n := x.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint:
		return float64(n), true
	case uint32:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float32:
		f := float64(n)
		return f, !math.IsInf(f, 0) && !math.IsNaN(f)
	case float64:
		return n, !math.IsInf(n, 0) && !math.IsNaN(n)
	}
	return 0, false
}

// snmpUint returns the unsigned Go types gosnmp decodes counters into.
func snmpUint(x any) (uint64, bool) {
	switch n := x.(type) {
	case uint:
		return uint64(n), true
	case uint32:
		return uint64(n), true
	case uint64:
		return n, true
	}
	return 0, false
}

// snmpText shows an octet string as text when it is printable UTF-8, else
// as hex bytes ("00:1a:2b"), the way MAC addresses are written.
func snmpText(b []byte) string {
	if utf8.Valid(b) && strings.IndexFunc(string(b), func(r rune) bool {
		return !unicode.IsPrint(r) && !unicode.IsSpace(r)
	}) < 0 {
		return string(b)
	}
	h := hex.EncodeToString(b)
	var sb strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			sb.WriteByte(':')
		}
		sb.WriteString(h[i : i+2])
	}
	return sb.String()
}

// snmpTypeName names an SNMP type for messages.
func snmpTypeName(t gosnmp.Asn1BER) string {
	switch t {
	case gosnmp.OctetString:
		return "OctetString"
	case gosnmp.ObjectIdentifier:
		return "ObjectIdentifier"
	case gosnmp.IPAddress:
		return "IpAddress"
	case gosnmp.Integer:
		return "Integer"
	case gosnmp.Counter32:
		return "Counter32"
	case gosnmp.Counter64:
		return "Counter64"
	case gosnmp.Gauge32:
		return "Gauge32"
	case gosnmp.TimeTicks:
		return "TimeTicks"
	case gosnmp.Uinteger32:
		return "Unsigned32"
	case gosnmp.Opaque, gosnmp.OpaqueFloat, gosnmp.OpaqueDouble:
		return "Opaque"
	}
	return "type 0x" + strconv.FormatUint(uint64(t), 16)
}
