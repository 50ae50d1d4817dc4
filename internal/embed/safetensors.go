package embed

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"

	"github.com/reel-sh/reel"
)

// safetensors layout: an 8-byte little-endian header length N, N bytes of
// JSON mapping tensor names to {dtype, shape, data_offsets} (offsets are
// relative to the first byte after the header), then the tensor data.
type tensorInfo struct {
	DType   string   `json:"dtype"`
	Shape   []int    `json:"shape"`
	Offsets [2]int64 `json:"data_offsets"`
}

// readMatrix reads the 2-D tensor name from the safetensors file at path
// as float32 rows (F32, F16 or BF16 on disk).
func readMatrix(path, name string) (rows, cols int, data []float32, err error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, nil, &reel.Error{Code: reel.ENOTFOUND, Message: "read " + path, Err: err}
	}
	bad := func(format string, args ...any) error {
		return reel.Errorf(reel.ECORRUPT, "safetensors %s: %s", path, fmt.Sprintf(format, args...))
	}
	if len(raw) < 8 {
		return 0, 0, nil, bad("%d bytes, shorter than the header length", len(raw))
	}
	n := binary.LittleEndian.Uint64(raw[:8])
	if n > uint64(len(raw)-8) {
		return 0, 0, nil, bad("header of %d bytes runs past the end of the file (%d bytes)", n, len(raw))
	}
	var header map[string]json.RawMessage
	if err := json.Unmarshal(raw[8:8+n], &header); err != nil {
		return 0, 0, nil, bad("header is not JSON: %v", err)
	}
	msg, ok := header[name]
	if !ok {
		return 0, 0, nil, bad("no tensor %q", name)
	}
	var ti tensorInfo
	if err := json.Unmarshal(msg, &ti); err != nil {
		return 0, 0, nil, bad("tensor %q: %v", name, err)
	}
	if len(ti.Shape) != 2 || ti.Shape[0] <= 0 || ti.Shape[1] <= 0 {
		return 0, 0, nil, bad("tensor %q has shape %v, want [vocab, dim]", name, ti.Shape)
	}
	body := raw[8+n:]
	start, end := ti.Offsets[0], ti.Offsets[1]
	if start < 0 || end < start || end > int64(len(body)) {
		return 0, 0, nil, bad("tensor %q offsets %v outside the %d data bytes", name, ti.Offsets, len(body))
	}
	rows, cols = ti.Shape[0], ti.Shape[1]
	count := int64(rows) * int64(cols)
	b := body[start:end]
	var width int64
	switch ti.DType {
	case "F32":
		width = 4
	case "F16", "BF16":
		width = 2
	default:
		return 0, 0, nil, bad("tensor %q has dtype %s; reel reads F32, F16 and BF16", name, ti.DType)
	}
	if int64(len(b)) != count*width {
		return 0, 0, nil, bad("tensor %q holds %d bytes, shape %v of %s needs %d", name, len(b), ti.Shape, ti.DType, count*width)
	}
	data = make([]float32, count)
	for i := range data {
		switch ti.DType {
		case "F32":
			data[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		case "F16":
			data[i] = halfToFloat(binary.LittleEndian.Uint16(b[2*i:]))
		case "BF16":
			data[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(b[2*i:])) << 16)
		}
	}
	return rows, cols, data, nil
}

// halfToFloat converts an IEEE 754 binary16 value to float32.
func halfToFloat(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: normalise it
		e := uint32(127 - 15 + 1)
		for frac&0x400 == 0 {
			frac <<= 1
			e--
		}
		frac &= 0x3ff
		return math.Float32frombits(sign | e<<23 | frac<<13)
	case exp == 0x1f:
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
}
