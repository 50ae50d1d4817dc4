package postgres

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"
)

func TestEachWord(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string // lexeme@start:end
	}{
		{"OKPlain", "the flaky test", []string{"the@0:3", "flaky@4:9", "test@10:14"}},
		{"OKCase", "FLAKY Test", []string{"flaky@0:5", "test@6:10"}},
		{"OKPunctuationSplits", "config:path foo.bar foo_bar C++ rate-limit", []string{
			"config@0:6", "path@7:11", "foo@12:15", "bar@16:19", "foo@20:23", "bar@24:27", "c@28:29", "rate@32:36", "limit@37:42"}},
		{"OKDigits", "v1.2.3 0xFF", []string{"v1@0:2", "2@3:4", "3@5:6", "0xff@7:11"}},
		{"OKDiacritics", "Über café naïve", []string{"uber@0:5", "cafe@6:11", "naive@12:18"}},
		{"OKCombiningMark", "cafe\u0301", []string{"cafe@0:6"}},
		{"OKCyrillicKeepsLetters", "Ошибка й", []string{"ошибка@0:12", "й@13:15"}},
		{"OKEmojiSeparates", "deploy🚀now", []string{"deploy@0:6", "now@10:13"}},
		{"OKCJK", "迁移 日本語", []string{"迁移@0:6", "日本語@7:16"}},
		{"OKInvalidUTF8Separates", "fla\xffky\x00x", []string{"fla@0:3", "ky@4:6", "x@7:8"}},
		{"OKMarkers", "\x02flaky\x03", []string{"flaky@1:6"}},
		{"OKEmpty", " ,.;🚀 ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			eachWord(tt.text, func(lex string, start, end int) {
				got = append(got, lex+"@"+itoa(start)+":"+itoa(end))
			})
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("words of %q:\n got %q\nwant %q", tt.text, got, tt.want)
			}
		})
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func TestEachWord_Limits(t *testing.T) {
	t.Run("OKLongWordCut", func(t *testing.T) {
		word := strings.Repeat("é", 200) // 400 bytes, lexeme "e"×200
		lex := lexemes(word + " " + strings.Repeat("x", 300))
		if len(lex) != 2 || lex[0] != strings.Repeat("e", 200) || lex[1] != strings.Repeat("x", maxLexeme) {
			t.Errorf("lexemes = %d of lengths %d, %d", len(lex), len(lex[0]), len(lex[1]))
		}
		cut := lexemes(strings.Repeat("ж", 200)) // 2-byte runes: cut at a rune boundary
		if len(cut[0]) != 254 {
			t.Errorf("cut lexeme is %d bytes, want 254", len(cut[0]))
		}
	})
	t.Run("OKFirstRunesOnly", func(t *testing.T) {
		text := strings.Repeat("ab ", maxIndexRunes/3) + "tail words here"
		lex := lexemes(text)
		if len(lex) != maxIndexRunes/3+1 || lex[len(lex)-1] != "ta" {
			t.Errorf("%d lexemes ending %q, want %d ending \"ta\"", len(lex), lex[len(lex)-1], maxIndexRunes/3+1)
		}
	})
}

func TestVectorizer_Tsvector(t *testing.T) {
	var v vectorizer
	got := v.tsvector("b a B c a")
	want := pgtype.TSVector{Valid: true, Lexemes: []pgtype.TSVectorLexeme{
		{Word: "a", Positions: []pgtype.TSVectorPosition{{Position: 2}, {Position: 5}}},
		{Word: "b", Positions: []pgtype.TSVectorPosition{{Position: 1}, {Position: 3}}},
		{Word: "c", Positions: []pgtype.TSVectorPosition{{Position: 4}}},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tsvector = %v, want %v", got, want)
	}
	// Past PostgreSQL's limits: positions stop at 16383, 255 per lexeme.
	big := v.tsvector(strings.Repeat("x ", 20000) + "y")
	for _, l := range big.Lexemes {
		switch l.Word {
		case "x":
			if len(l.Positions) != maxPositions || l.Positions[maxPositions-1].Position != maxPositions {
				t.Errorf("x has %d positions, the last %d", len(l.Positions), l.Positions[len(l.Positions)-1].Position)
			}
		case "y":
			if len(l.Positions) != 1 || l.Positions[0].Position != maxPosition {
				t.Errorf("y positions = %v, want [%d]", l.Positions, maxPosition)
			}
		}
	}
}

func TestVectorizer_MatchesPostgres(t *testing.T) {
	// For lowercase words separated by spaces, PostgreSQL's own parser
	// with the 'simple' configuration agrees with reel's: the tsvector
	// reel sends is the one PostgreSQL would build, positions included.
	s := openTest(t)
	var v vectorizer
	for _, text := range []string{
		"the flaky migration test fails on ci",
		"flaky flaky flaky",
		"a b a b a b c",
		"ошибка в миграции",
		"",
		strings.Repeat("word ", 300) + "end",
	} {
		var same bool
		var pgv string
		if err := s.pool.QueryRow(context.Background(), `SELECT $1::tsvector = to_tsvector('simple', $2), to_tsvector('simple', $2)::text`,
			v.tsvector(text), text).Scan(&same, &pgv); err != nil {
			t.Fatal(err)
		}
		if !same {
			t.Errorf("%.40q: reel's tsvector %.200s differs from PostgreSQL's %.200s", text, v.tsvector(text).String(), pgv)
		}
	}
}
