module github.com/reel-sh/reel

go 1.26.8
