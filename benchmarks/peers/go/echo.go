// The load test's Go reference server: gorilla/websocket (Debian's golang-github-gorilla-websocket-dev), echo on /
// and one topic on /broadcast (each message prepared once, queued to every subscriber's writer goroutine), speaking
// the same control protocol as the Java servers (io.wirefly.bench.servers.ServerControl): READY on stdout, then
// "gc" (answered "HEAP <live bytes> <heap bytes>") and "stop" on stdin.
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o benchmarks/target/gorilla-echo benchmarks/peers/go/echo.go
//	benchmarks/target/gorilla-echo 9000
package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"

	"github.com/gorilla/websocket"
)

const maxMessage = 2 << 20

// EnableCompression: permessage-deflate when a client offers it (the deflate scenario)
var upgrader = websocket.Upgrader{CheckOrigin: func(r *http.Request) bool { return true }, EnableCompression: true}

type subscriber struct {
	conn *websocket.Conn
	out  chan *websocket.PreparedMessage
}

var (
	mu          sync.Mutex
	subscribers = map[*subscriber]struct{}{}
)

func echo(w http.ResponseWriter, r *http.Request) {
	c, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer c.Close()
	c.SetReadLimit(maxMessage)
	for {
		kind, in, err := c.NextReader()
		if err != nil {
			return
		}
		out, err := c.NextWriter(kind)
		if err != nil {
			return
		}
		if _, err := io.Copy(out, in); err != nil {
			return
		}
		if err := out.Close(); err != nil {
			return
		}
	}
}

func broadcast(w http.ResponseWriter, r *http.Request) {
	c, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c.SetReadLimit(maxMessage)
	s := &subscriber{conn: c, out: make(chan *websocket.PreparedMessage, 256)}
	mu.Lock()
	subscribers[s] = struct{}{}
	mu.Unlock()
	go func() { // the connection's only writer
		for m := range s.out {
			if c.WritePreparedMessage(m) != nil {
				return
			}
		}
	}()
	defer func() {
		mu.Lock()
		delete(subscribers, s)
		mu.Unlock()
		close(s.out)
		c.Close()
	}()
	for {
		kind, data, err := c.ReadMessage()
		if err != nil {
			return
		}
		m, err := websocket.NewPreparedMessage(kind, data)
		if err != nil {
			return
		}
		mu.Lock()
		for other := range subscribers {
			select {
			case other.out <- m:
			default: // a subscriber this far behind misses the message, as a bounded queue must
			}
		}
		mu.Unlock()
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gorilla-echo PORT")
		os.Exit(2)
	}
	port := os.Args[1]
	mux := http.NewServeMux()
	mux.HandleFunc("/", echo)
	mux.HandleFunc("/broadcast", broadcast)
	server := &http.Server{Addr: "127.0.0.1:" + port, Handler: mux}
	go func() {
		if err := server.ListenAndServe(); err != nil && err != http.ErrServerClosed {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}()
	fmt.Printf("READY gorilla %s\n", port)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		switch strings.TrimSpace(in.Text()) {
		case "gc":
			runtime.GC()
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			fmt.Printf("HEAP %d %d\n", m.HeapAlloc, m.HeapSys)
		case "stop":
			server.Close()
			os.Exit(0)
		}
	}
	server.Close()
}
