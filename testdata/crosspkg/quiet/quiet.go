package quiet // want package:"hasConnFacts"

// The package closes what it is given and logs the error, as a logging
// library's closer helper does; it imports no socket package, and its
// callers still need to know that it closes.

import (
	"io"
	"log"
)

// Close closes c and logs a failure.
func Close(c io.Closer) { // want Close:"^conn p0 closes unread returns closed$"
	if err := c.Close(); err != nil {
		log.Print(err)
	}
}
