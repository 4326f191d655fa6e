package wire

import (
	"encoding/json"

	"github.com/vigil-monitor/vigil/compliance/fim"
)

// UnmarshalJSON decodes strictly, streaming the changes and errors and
// refusing more than their caps before building them (see codec.go: a
// 4 MiB body of "{}," would otherwise be a million changes first).
func (m *FIMReport) UnmarshalJSON(data []byte) error {
	var out FIMReport
	err := walkObject(streamOf(data), func(dec *json.Decoder, key string) error {
		switch key {
		case "policy_id":
			return within(key, decodeValue(dec, &out.PolicyID))
		case "revision":
			return within(key, decodeValue(dec, &out.Revision))
		case "epoch":
			return within(key, decodeValue(dec, &out.Epoch))
		case "scan":
			return within(key, decodeValue(dec, &out.Scan))
		case "seq":
			return within(key, decodeValue(dec, &out.Seq))
		case "baseline":
			return within(key, decodeValue(dec, &out.Baseline))
		case "started":
			return within(key, decodeValue(dec, &out.Started))
		case "progress":
			return within(key, decodeValue(dec, &out.Progress))
		case "done":
			return within(key, decodeValue(dec, &out.Done))
		case "changes":
			list, err := decodeList[fim.Change](dec, key, MaxFIMChangesPerReport)
			out.Changes = list
			return err
		case "errors":
			list, err := decodeList[fim.ScanError](dec, key, MaxFIMErrorsPerReport)
			out.Errors = list
			return err
		}
		return unknownField(key)
	})
	if err != nil {
		return err
	}
	*m = out
	return nil
}
