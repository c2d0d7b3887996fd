module github.com/kevy-go/kevy/bench

go 1.24

require github.com/kevy-go/kevy v0.0.0

replace github.com/kevy-go/kevy => ../
