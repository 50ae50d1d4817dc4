package reel

import "context"

// Search modes (SearchQuery.Mode).
const (
	ModeHybrid = "hybrid" // full-text and vector results fused by reciprocal rank
	ModeFTS    = "fts"    // full-text (BM25) only
	ModeVector = "vector" // vector similarity only
)

// ModelInfo names an embedding model. Every stored vector records the
// model it came from, so vectors of different models are never compared.
type ModelInfo struct {
	// ID is stable and unique: "<provider>:<name>[@<revision>]", e.g.
	// "model2vec:potion-base-8M", "openai:text-embedding-3-small",
	// "builtin:reel-static-v1".
	ID  string `json:"id"`
	Dim int    `json:"dim"`
}

// Embedder turns texts into vectors of one model.
type Embedder interface {
	// Model says which model the vectors come from.
	Model() ModelInfo
	// Embed returns one L2-normalised vector of Model().Dim per text, in
	// order. EUNSUPPORT when the model is not available here (not
	// pulled, endpoint down), with a hint.
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// HitExplain says how a hit was ranked (search --explain).
type HitExplain struct {
	Mode string `json:"mode"`
	// FTSRank and VectorRank are 1-based ranks in each list, 0 when the
	// hit was not in it.
	FTSRank     int     `json:"fts_rank,omitempty"`
	VectorRank  int     `json:"vector_rank,omitempty"`
	FTSScore    float64 `json:"fts_score,omitempty"`
	VectorScore float64 `json:"vector_score,omitempty"`
	Model       string  `json:"model,omitempty"`
}
