// want package:"hasConnFacts"

// Package muxsess multiplexes streams over one conn. Its streams are
// net.Conns of its own making: a stream's Close sends a frame on the
// session's conn and closes no socket, so no Close of a stream can
// reset. Accept's fact says so to the packages that call it.
package muxsess

import (
	"errors"
	"io"
	"net"
	"sync"
)

// Session is one conn carrying many streams.
type Session struct {
	conn    net.Conn
	mu      sync.Mutex
	streams chan *stream
}

// New starts a session over conn.
//
//proof:skip plumbing of app.ServeStreams, whose streams no kernel sees
func New(conn net.Conn) *Session {
	return &Session{conn: conn, streams: make(chan *stream, 16)}
}

// Accept returns the next stream the peer opened.
//
//proof:skip plumbing of app.ServeStreams, whose streams no kernel sees
func (s *Session) Accept() (net.Conn, error) { // want Accept:"nosocket"
	st, ok := <-s.streams
	if !ok || st == nil {
		return nil, errors.New("muxsess: session closed")
	}
	return st, nil
}

// Close ends the session, and with it every stream.
//
//proof:skip plumbing of app.ServeStreamsEach, whose streams no kernel sees
func (s *Session) Close() error { return s.conn.Close() } // want Close:"conn p0.conn closes unread returns closed errdone"

// Addr is the address of the session's conn: a Session is a
// net.Listener of streams.
//
//proof:skip plumbing of app.ServeStreamsEach, whose streams no kernel sees
func (s *Session) Addr() net.Addr { return s.conn.LocalAddr() }

// send writes one frame: the stream's id, the length, the payload.
func (s *Session) send(id byte, p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.conn.Write([]byte{id, byte(len(p))}); err != nil {
		return 0, err
	}
	return s.conn.Write(p)
}

// stream is one stream of a session. It embeds net.Conn only to satisfy
// the interface: the methods it uses are its own.
type stream struct {
	net.Conn
	s         *Session
	id        byte
	in        chan []byte
	closeOnce sync.Once
}

func (st *stream) Read(p []byte) (int, error) {
	b, ok := <-st.in
	if !ok {
		return 0, io.EOF
	}
	return copy(p, b), nil
}

func (st *stream) Write(p []byte) (int, error) { return st.s.send(st.id, p) }

// Close tells the peer the stream is over, once.
func (st *stream) Close() error {
	st.closeOnce.Do(st.finish)
	return nil
}

func (st *stream) finish() { st.s.send(st.id, nil) }
