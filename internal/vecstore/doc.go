// Package vecstore holds the contract between reel's stores and its
// vector search: how an event's embedding is stored (int8 quantised, one
// scale per vector, with the model id and dimension), and the small
// interface (Store) that the SQLite and PostgreSQL stores implement.
//
// int8 with a per-vector scale keeps a 384-dimension vector in 388 bytes
// (1M events ~ 400 MB, against 768 bytes for float16 and 1536 for
// float32), and the cosine it gives stays within about 0.01 of the
// float32 one (see quant_test.go).
package vecstore
