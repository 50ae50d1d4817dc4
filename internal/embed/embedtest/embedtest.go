// Package embedtest builds tiny model2vec models for tests: a real
// tokenizer.json and a real safetensors file, small enough to check
// vectors by hand.
package embedtest

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sort"
)

// Vocab is the tiny model's WordPiece vocabulary.
var Vocab = map[string]int{"[UNK]": 0, "hello": 1, "world": 2, "##s": 3, "un": 4, "##known": 5, ",": 6, "cafe": 7}

// Rows are the tiny model's embeddings, one row per Vocab id, dimension 2.
// Every value is exact in float16.
var Rows = [][]float32{{5, 5}, {3, 0}, {0, 1}, {0, 1}, {1, 0}, {-1, 0}, {0, 2}, {0, -4}}

// Files returns the tiny model's files: tokenizer.json, config.json and
// model.safetensors with the "embeddings" tensor in dtype ("F32" or
// "F16").
func Files(dtype string) map[string][]byte {
	tok := map[string]any{
		"version":       "1.0",
		"normalizer":    map[string]any{"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": nil, "lowercase": true},
		"pre_tokenizer": map[string]any{"type": "BertPreTokenizer"},
		"model":         map[string]any{"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100, "vocab": Vocab},
	}
	tj, _ := json.Marshal(tok)
	cfg, _ := json.Marshal(map[string]any{"model_type": "model2vec", "normalize": true, "hidden_dim": 2})
	return map[string][]byte{"tokenizer.json": tj, "config.json": cfg, "model.safetensors": Safetensors("embeddings", Rows, dtype)}
}

// Write writes Files(dtype) into dir.
func Write(dir, dtype string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for name, b := range Files(dtype) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// Safetensors encodes rows as a safetensors file with one tensor.
func Safetensors(name string, rows [][]float32, dtype string) []byte {
	var data []byte
	for _, r := range rows {
		for _, x := range r {
			switch dtype {
			case "F16":
				data = binary.LittleEndian.AppendUint16(data, floatToHalf(x))
			default:
				data = binary.LittleEndian.AppendUint32(data, math.Float32bits(x))
			}
		}
	}
	header := map[string]any{
		"__metadata__": map[string]string{"format": "pt"},
		name:           map[string]any{"dtype": dtype, "shape": []int{len(rows), len(rows[0])}, "data_offsets": []int{0, len(data)}},
	}
	h, _ := json.Marshal(header)
	for len(h)%8 != 0 { // the format pads the header with spaces
		h = append(h, ' ')
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	out = append(out, h...)
	return append(out, data...)
}

// floatToHalf converts x to binary16; the tests use only values that are
// exact in it (normal numbers, zero).
func floatToHalf(x float32) uint16 {
	b := math.Float32bits(x)
	sign := uint16(b>>16) & 0x8000
	if x == 0 {
		return sign
	}
	exp := int((b>>23)&0xff) - 127 + 15
	frac := uint16((b >> 13) & 0x3ff)
	return sign | uint16(exp)<<10 | frac
}

// SortedNames returns the file names of Files, sorted.
func SortedNames() []string {
	var n []string
	for k := range Files("F32") {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}
