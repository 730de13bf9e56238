package schemas

import (
	"errors"
	"io"
)

// LogFile is the container of a CloudTrail log file: {"Records":[...]}.
type LogFile struct {
	Records []Record `json:"Records"`
}

// LogFileWriter writes a CloudTrail log file, {"Records":[…]}, compact on one
// line with no trailing newline, as CloudTrail delivers it.
//
// It buffers one record at a time and writes each record with one call to the
// underlying writer. A LogFileWriter is not safe for concurrent use.
type LogFileWriter struct {
	w      io.Writer
	buf    []byte
	n      int
	closed bool
	err    error
}

// NewLogFileWriter returns a LogFileWriter writing to w.
func NewLogFileWriter(w io.Writer) *LogFileWriter {
	return &LogFileWriter{w: w, buf: make([]byte, 0, 4096)}
}

// Write appends rec to the file.
func (lw *LogFileWriter) Write(rec Record) error {
	if lw.err != nil {
		return lw.err
	}
	if lw.closed {
		return errors.New("schemas: write to closed log file")
	}
	lw.buf = lw.buf[:0]
	if lw.n == 0 {
		lw.buf = append(lw.buf, `{"Records":[`...)
	} else {
		lw.buf = append(lw.buf, ',')
	}
	lw.buf = rec.AppendJSON(lw.buf)
	lw.n++
	_, lw.err = lw.w.Write(lw.buf)
	return lw.err
}

// Count returns the number of records written so far.
func (lw *LogFileWriter) Count() int { return lw.n }

// Close writes the end of the container; a file with no records is
// {"Records":[]}. It does not close the underlying writer.
func (lw *LogFileWriter) Close() error {
	if lw.err != nil {
		return lw.err
	}
	if lw.closed {
		return nil
	}
	lw.closed = true
	end := "]}"
	if lw.n == 0 {
		end = `{"Records":[]}`
	}
	_, lw.err = io.WriteString(lw.w, end)
	return lw.err
}
