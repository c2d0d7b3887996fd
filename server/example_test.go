package server_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/kevy-go/kevy"
	"github.com/kevy-go/kevy/server"
)

// A program keeps using its store in-process while serving it over RESP:
// what it writes, clients read, and the other way round.
func Example() {
	st, err := kevy.Open(nil)
	if err != nil {
		panic(err)
	}
	defer st.Close()
	st.Set("greeting", "hello")

	srv := server.New(st, server.Config{})
	l, err := net.Listen("tcp", "127.0.0.1:0") // a free port
	if err != nil {
		panic(err)
	}
	go srv.Serve(l)
	defer srv.Shutdown(context.Background())

	// A client (redis-cli, go-redis...) on the same port; here, raw RESP.
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		panic(err)
	}
	defer c.Close()
	fmt.Fprint(c, "GET greeting\r\nSET counter 41\r\nINCR counter\r\n")
	r := bufio.NewReader(c)
	for range 4 { // $5, hello, +OK, :42
		line, _ := r.ReadString('\n')
		fmt.Println(strings.TrimSuffix(line, "\r\n"))
	}
	v, _ := st.Get("counter")
	fmt.Println("in-process:", v)
	// Output:
	// $5
	// hello
	// +OK
	// :42
	// in-process: 42
}
