package noreturn

import (
	"fmt"
	"log"
	"net"
	"os"
)

// Fatal paths end the program: the deferred Close never runs there.
//
//proof:skip exits the process
func Fatal(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if _, err := fmt.Fprintln(c, "hi"); err != nil {
		log.Fatalf("write: %v", err)
	}
	buf := make([]byte, 1)
	for {
		if _, err := c.Read(buf); err != nil {
			return
		}
		if buf[0] == 'q' {
			os.Exit(0)
		}
		if buf[0] == '!' {
			panic("bang")
		}
	}
}
