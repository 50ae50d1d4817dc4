// Package pgtest gives tests a PostgreSQL database to run against: the
// server that $REEL_TEST_POSTGRES names, with a fresh schema for each
// test, so that test runs never see each other's rows.
//
// A test that needs the server calls Schema(t, URL(t)) and opens the URL
// it returns. Where no server answers, URL skips the test and says how to
// point it at one, except under CI=true, where it fails: CI always has a
// server.
package pgtest
