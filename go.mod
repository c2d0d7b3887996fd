module github.com/kevy-go/kevy

go 1.24
