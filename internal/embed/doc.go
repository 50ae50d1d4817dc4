// Package embed turns text into vectors for semantic search. Each provider
// implements reel.Embedder: Model2Vec runs a model2vec static model (a
// folder with tokenizer.json, model.safetensors and config.json, pulled
// with Pull) in-process in pure Go; OpenAI calls any OpenAI-compatible
// /v1/embeddings endpoint. FromConfig picks one from the [embed] section
// of config.toml. Every vector returned is L2-normalised, and every
// provider names its model in ModelInfo.ID so vectors of different
// models are never compared.
package embed
