package embed

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/reel-sh/reel"
)

// maxTokens is how many tokens of one text are kept, unknown ones
// included, as model2vec's encode truncates at max_length=512 before it
// drops unknown tokens and pools.
const maxTokens = 512

// Model2Vec is a model2vec static embedding model loaded from a folder:
// each text is tokenized, the vectors of its known tokens are averaged,
// and the mean is L2-normalised. It is safe for concurrent use.
type Model2Vec struct {
	name  string
	dir   string
	tok   *wordPiece
	dim   int
	vocab int
	table []float32 // vocab rows of dim
}

// LoadModel2Vec loads the model2vec model in dir (tokenizer.json,
// model.safetensors with an "embeddings" tensor of F32, F16 or BF16, and
// an optional config.json). name goes in the model id,
// "model2vec:<name>". ENOTFOUND when a file is missing, ECORRUPT when one
// cannot be read back, EUNSUPPORT for a tokenizer kind reel does not run.
func LoadModel2Vec(dir, name string) (*Model2Vec, error) {
	tok, err := loadWordPiece(filepath.Join(dir, "tokenizer.json"))
	if err != nil {
		return nil, err
	}
	rows, cols, table, err := readMatrix(filepath.Join(dir, "model.safetensors"), "embeddings")
	if err != nil {
		return nil, err
	}
	for w, id := range tok.vocab {
		if id < 0 || id >= rows {
			return nil, reel.Errorf(reel.ECORRUPT, "model %s: token %q has id %d but the embeddings have %d rows", dir, w, id, rows)
		}
	}
	cfgPath := filepath.Join(dir, "config.json")
	switch raw, err := os.ReadFile(cfgPath); {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, &reel.Error{Code: reel.ECORRUPT, Message: "read " + cfgPath, Err: err}
	default:
		var c map[string]any
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, &reel.Error{Code: reel.ECORRUPT, Message: "model config " + cfgPath + " is not JSON", Err: err}
		}
	}
	return &Model2Vec{name: name, dir: dir, tok: tok, dim: cols, vocab: rows, table: table}, nil
}

// Model returns "model2vec:<name>" and the embedding dimension.
func (m *Model2Vec) Model() reel.ModelInfo {
	return reel.ModelInfo{ID: "model2vec:" + m.name, Dim: m.dim}
}

// Vocab returns the number of rows of the embedding table.
func (m *Model2Vec) Vocab() int { return m.vocab }

// Embed returns one unit vector per text. A text with no known token gets
// the zero vector (nothing to average), which matches nothing.
func (m *Model2Vec) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	var ids []int
	for i, s := range texts {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		ids = m.tok.tokenize(s, ids[:0])
		if len(ids) > maxTokens {
			ids = ids[:maxTokens]
		}
		v := make([]float32, m.dim)
		for _, id := range ids {
			if id == m.tok.unk {
				continue
			}
			row := m.table[id*m.dim : (id+1)*m.dim]
			for j, x := range row {
				v[j] += x
			}
		}
		// The mean's direction is the sum's: normalising is enough.
		normalize(v)
		out[i] = v
	}
	return out, nil
}
