package hijack

// Hijacked HTTP connections.

import (
	"io"
	"net"
	"net/http"
	"time"
)

// Bad answers the upgrade and closes: a pipelined request is unread.
//
//proof:send http-body
func Bad(w http.ResponseWriter, r *http.Request) {
	c, brw, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	defer c.Close() // want `conn hijacked at hijack\.go:\d+ is closed with input never read: RST may destroy our reply`
	brw.WriteString("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nbye\n")
	brw.Flush()
}

// Good drains the client's remaining input before closing.
//
//proof:send http-body
func Good(w http.ResponseWriter, r *http.Request) {
	c, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer c.Close()
	brw.WriteString("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nbye\n")
	brw.Flush()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	io.Copy(io.Discard, io.LimitReader(brw, 1<<20))
}
