package chunk

import (
	"errors"
	"reflect"
	"testing"
)

func TestAggAddMerge(t *testing.T) {
	var a, b, all Agg
	for i, l := range []int64{500, 100, 900} {
		a.Add(uint8(i%3), l)
		all.Add(uint8(i%3), l)
	}
	for _, l := range []int64{50, 2000} {
		b.Add(StatusUnknown, l)
		all.Add(StatusUnknown, l)
	}
	var m Agg
	m.Merge(a)
	m.Merge(Agg{})
	m.Merge(b)
	want := Agg{OK: 1, Warning: 1, Problem: 1, Unknown: 2, Sum: 3550, Min: 50, Max: 2000}
	if m != want || all != want {
		t.Fatalf("merge = %+v, add = %+v, want %+v", m, all, want)
	}
}

func TestAggRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		aggs []Agg
	}{
		{"empty", nil},
		{"one", []Agg{{Off: 0, OK: 2, Sum: 10, Min: 4, Max: 6}}},
		{"sparse", []Agg{{Off: 3, Problem: 1, Sum: -5, Min: -5, Max: -5}, {Off: 59, OK: 1<<32 - 1, Unknown: 7, Sum: 1 << 60, Min: 1, Max: 1 << 40}}},
		{"max offset", []Agg{{Off: 1<<32 - 1, Warning: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := EncodeAggs(tt.aggs)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeAggs(b)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.aggs) || (len(got) > 0 && !reflect.DeepEqual(got, tt.aggs)) {
				t.Fatalf("got %+v, want %+v", got, tt.aggs)
			}
		})
	}
}

func TestAggErrors(t *testing.T) {
	if _, err := EncodeAggs([]Agg{{Off: 2}, {Off: 2}}); err == nil {
		t.Error("duplicate offsets encoded")
	}
	for name, b := range map[string][]byte{
		"nil": nil, "version": {9, 0}, "count past end": {AggVersion, 5, 0}, "huge count": {AggVersion, 0xff, 0xff, 0xff, 0xff, 0x0f},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := DecodeAggs(b); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("DecodeAggs = %v, want ErrCorrupt", err)
			}
		})
	}
}

func TestReplaceAggs(t *testing.T) {
	old := []Agg{{Off: 1, OK: 1}, {Off: 5, OK: 1}, {Off: 9, OK: 1}}
	got := ReplaceAggs(old, 4, 9, []Agg{{Off: 4, OK: 2}, {Off: 6, OK: 3}})
	want := []Agg{{Off: 1, OK: 1}, {Off: 4, OK: 2}, {Off: 6, OK: 3}, {Off: 9, OK: 1}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}
