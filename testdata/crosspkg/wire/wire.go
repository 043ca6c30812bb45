// Package wire is a protocol's messages, each read from and written to a
// stream by its own ReadFrom and WriteTo: it imports no socket package,
// and rstlint does not analyze it.
package wire

import (
	"errors"
	"io"
)

// Request is a client's request: a version byte and a name.
type Request struct {
	Version byte
	Name    string
}

// ReadFrom reads one request: a version, a length and the name. It reads
// one message, not the stream to its end.
func (r *Request) ReadFrom(rd io.Reader) (int64, error) {
	var head [2]byte
	if _, err := io.ReadFull(rd, head[:]); err != nil {
		return 0, err
	}
	name := make([]byte, head[1])
	n, err := io.ReadFull(rd, name)
	if err != nil {
		return int64(2 + n), err
	}
	if head[0] != 1 {
		return int64(2 + n), errors.New("wire: bad version")
	}
	r.Version, r.Name = head[0], string(name)
	return int64(2 + n), nil
}

// Response is the server's answer: a status byte.
type Response struct {
	Status byte
}

// WriteTo writes the response.
func (r *Response) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write([]byte{r.Status})
	return int64(n), err
}
