// Package scan reads CloudTrail records from files and directory trees and
// feeds them to a schemas.Validator; it is the engine of `firetrail
// validate`.
//
// Inputs: a single record (JSON object), a CloudTrail log file
// ({"Records":[…]}), NDJSON (one record per line; any whitespace between
// records is accepted), each of them optionally gzip-compressed (detected by
// the magic bytes, not the name), and directories, walked in lexical order.
// Inside a directory only files named *.json, *.json.gz, *.gz, *.ndjson and
// *.jsonl are read; names starting with "." are skipped, and so are files
// beside an AWSLogs directory (a bucket root holds other things, such as the
// generator's ground-truth manifest). A file named on the command line is
// always read; with the Stdin option, the path "-" is standard input. Keys in
// the CloudTrail S3 layout (CloudTrail User Guide, finding your log files),
// relative to the directory given or within the file path given, get the
// file-key checks of schemas.Batch; digest files (CloudTrail-Digest/) are
// recognised, counted and checked with Validator.ValidateDigest instead
// (signatures and hashes are not checked).
//
// Files are streamed: only the record being validated is held in memory
// (up to MaxRecordBytes), plus one map entry per eventID for the duplicate
// check.
//
// Problems are reported one per line in a fixed format (see
// Problem.String), in input order; the output is the same on every run.
package scan

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/firetrail/firetrail/schemas"
	"github.com/klauspost/compress/gzip"
)

// MaxRecordBytes is the largest record scan holds in memory; a longer one
// is reported and ends the reading of its file. CloudTrail's own limit is
// 256 KB per event.
const MaxRecordBytes = 32 << 20

// Problem is one problem found in the input.
type Problem struct {
	// Path is the file as named on the command line or found in a
	// directory walk.
	Path string
	// Record is the 0-based index of the record in the file (its position
	// in the Records array or among the NDJSON records), or -1 for a
	// problem with the file itself.
	Record int
	// Offset is the byte offset in the file's (decompressed) content of a
	// syntax problem, or -1; Line is its 1-based line number.
	Offset int64
	Line   int
	// Pointer locates the value in the record (RFC 6901), "" if none.
	Pointer string
	// Message says what is wrong.
	Message string
}

// String formats p on one line, in one of these forms:
//
//	PATH:RECORD: /json/pointer: MESSAGE   a value in a record
//	PATH:RECORD: MESSAGE                  a whole record
//	PATH:RECORD: byte N, line L: MESSAGE  malformed JSON in a record
//	PATH: byte N, line L: MESSAGE         malformed file structure
//	PATH: /json/pointer: MESSAGE          a value in a digest file
//	PATH: MESSAGE                         the file itself
//
// RECORD counts from 0; N counts bytes from 0 in the decompressed content;
// L counts lines from 1.
func (p Problem) String() string {
	var sb strings.Builder
	sb.WriteString(p.Path)
	if p.Record >= 0 {
		sb.WriteByte(':')
		sb.WriteString(strconv.Itoa(p.Record))
	}
	sb.WriteString(": ")
	if p.Offset >= 0 {
		fmt.Fprintf(&sb, "byte %d, line %d: ", p.Offset, p.Line)
	} else if p.Pointer != "" {
		sb.WriteString(p.Pointer)
		sb.WriteString(": ")
	}
	sb.WriteString(p.Message)
	return sb.String()
}

// Summary counts what a Run read and found.
type Summary struct {
	// Files is the number of files read for records.
	Files int
	// Records is the number of records validated.
	Records int
	// Problems is the number of problems reported.
	Problems int
	// Digests is the number of CloudTrail digest files checked (they are
	// not counted in Files).
	Digests int
	// Skipped is the number of files in directories not read because of
	// their names.
	Skipped int
}

// Option configures Run.
type Option func(*config)

type config struct {
	workers int
	stdin   io.Reader
}

// Stdin makes the path "-" read r (standard input) as one file: a record,
// a log file or NDJSON, gzip-compressed or not. Without it, "-" is a file
// name like any other.
func Stdin(r io.Reader) Option { return func(c *config) { c.stdin = r } }

// Workers sets how many goroutines validate records; the default is
// GOMAXPROCS. The output does not depend on it.
func Workers(n int) Option { return func(c *config) { c.workers = n } }

// Run validates every record under paths with v, in order, and calls report
// for each problem, from the calling goroutine, in input order. Problems
// with the input never stop the run: the next record or file is read. Run
// returns an error only when ctx ends.
func Run(ctx context.Context, paths []string, v *schemas.Validator, report func(Problem), opts ...Option) (Summary, error) {
	cfg := config{workers: runtime.GOMAXPROCS(0)}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.workers > 1 {
		return runParallel(ctx, paths, v, report, cfg)
	}
	col := &collector{batch: schemas.NewBatch(v), report: report}
	s := &scanner{v: v, out: &direct{v: v, c: col}, stdin: cfg.stdin}
	err := s.paths(ctx, paths)
	sum := s.sum
	sum.Problems = col.problems
	if err != nil {
		return sum, err
	}
	return sum, ctx.Err()
}

// scanner is the reader side of a run: it walks paths, reads files and
// emits records and problems in input order.
type scanner struct {
	v     *schemas.Validator
	stdin io.Reader // read for the path "-"; nil: "-" is a file name
	out   emitter
	sum   Summary // all but Problems, which the collector counts
	br    *bufio.Reader
	gz    *gzip.Reader
	rd    reader
}

func (s *scanner) paths(ctx context.Context, paths []string) error {
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.path(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

func (s *scanner) problem(p Problem) {
	s.out.emit(item{kind: itemProblem, prob: p}, nil)
}

func (s *scanner) fileProblem(path string, format string, args ...any) {
	s.problem(Problem{Path: path, Record: -1, Offset: -1, Message: fmt.Sprintf(format, args...)})
}

// path validates one command-line argument, a file or a directory.
func (s *scanner) path(ctx context.Context, root string) error {
	if root == "-" && s.stdin != nil {
		s.sum.Files++
		s.out.emit(item{kind: itemStartFile, path: root}, nil)
		s.records(ctx, root, s.stdin)
		return nil
	}
	fi, err := os.Stat(root)
	if err != nil {
		s.fileProblem(root, "%s", describeOpenError(err))
		return nil
	}
	if !fi.IsDir() {
		s.file(ctx, root, filepath.ToSlash(root))
		return nil
	}
	awsLogsDirs := map[string]bool{}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if err != nil {
			s.fileProblem(p, "%s", describeOpenError(err))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if !recordFileName(d.Name()) || besideAWSLogs(filepath.Dir(p), awsLogsDirs) {
			s.sum.Skipped++
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			rel = p
		}
		s.file(ctx, p, filepath.ToSlash(rel))
		return nil
	})
}

func describeOpenError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return "cannot read: " + pe.Err.Error()
	}
	return "cannot read: " + err.Error()
}

// besideAWSLogs reports whether dir holds an AWSLogs directory: it is then
// the root of a CloudTrail bucket (or key prefix), and the files beside
// AWSLogs, such as a generator's ground-truth manifest, are not CloudTrail's.
// cache remembers the answer per directory.
func besideAWSLogs(dir string, cache map[string]bool) bool {
	has, ok := cache[dir]
	if !ok {
		fi, err := os.Stat(filepath.Join(dir, "AWSLogs"))
		has = err == nil && fi.IsDir()
		cache[dir] = has
	}
	return has
}

// recordFileName reports whether a file found in a directory walk is read.
func recordFileName(name string) bool {
	for _, ext := range []string{".json", ".gz", ".ndjson", ".jsonl"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

// file validates the file at path whose CloudTrail key (if any) is found
// in key.
func (s *scanner) file(ctx context.Context, path, key string) {
	k, inLayout, kerr := schemas.ParseLogKey(key)
	if kerr != nil {
		s.fileProblem(path, "%v", kerr)
	}
	var lk *schemas.LogKey
	if inLayout && kerr == nil {
		lk = &k
	}
	f, err := os.Open(path)
	if err != nil {
		s.fileProblem(path, "%s", describeOpenError(err))
		return
	}
	defer f.Close()
	if inLayout && k.Kind == schemas.KindDigest {
		s.sum.Digests++
		s.digest(path, lk, f)
		return
	}
	s.sum.Files++
	s.out.emit(item{kind: itemStartFile, path: path, key: lk}, nil)
	s.records(ctx, path, f)
}

// open returns the content of f, decompressed when it is gzip.
func (s *scanner) open(path string, f io.Reader) (io.Reader, bool) {
	if s.br == nil {
		s.br = bufio.NewReaderSize(f, 64<<10)
	} else {
		s.br.Reset(f)
	}
	if magic, _ := s.br.Peek(2); len(magic) < 2 || magic[0] != 0x1f || magic[1] != 0x8b {
		return s.br, true
	}
	var err error
	if s.gz == nil {
		s.gz, err = gzip.NewReader(s.br)
	} else {
		err = s.gz.Reset(s.br)
	}
	if err != nil {
		s.fileProblem(path, "bad gzip header: %v", err)
		return nil, false
	}
	return s.gz, true
}

// digest checks a digest file, read whole (up to MaxRecordBytes).
func (s *scanner) digest(path string, key *schemas.LogKey, f io.Reader) {
	src, ok := s.open(path, f)
	if !ok {
		return
	}
	b, err := io.ReadAll(io.LimitReader(src, MaxRecordBytes+1))
	if err != nil {
		s.fileProblem(path, "%s", (&readError{err}).describe(int64(len(b))))
		return
	}
	if len(b) > MaxRecordBytes {
		s.fileProblem(path, "digest file larger than %d MiB", MaxRecordBytes>>20)
		return
	}
	for _, p := range s.v.ValidateDigest(key, b) {
		q := Problem{Path: path, Record: -1, Offset: -1, Pointer: p.Pointer, Message: p.Message}
		if p.Offset >= 0 {
			q.Offset = int64(p.Offset)
			q.Line = bytes.Count(b[:p.Offset], []byte{'\n'}) + 1
		}
		s.problem(q)
	}
}

// records reads the records of one open file.
func (s *scanner) records(ctx context.Context, path string, f io.Reader) {
	src, ok := s.open(path, f)
	if !ok {
		return
	}
	s.rd.reset(src)
	fr := fileReader{s: s, path: path, r: &s.rd}
	fr.run(ctx)
}

// fileReader walks the top-level structure of one file.
type fileReader struct {
	s     *scanner
	path  string
	r     *reader
	index int
}

// errStop ends the reading of a file after a problem was reported.
var errStop = errors.New("stop")

func (fr *fileReader) run(ctx context.Context) {
	err := fr.top(ctx)
	if err == nil || errors.Is(err, errStop) {
		return
	}
	var rerr *readError
	if errors.As(err, &rerr) {
		fr.s.fileProblem(fr.path, "%s", rerr.describe(fr.r.base+int64(len(fr.r.buf))))
		return
	}
	fr.s.fileProblem(fr.path, "%v", err)
}

// structural reports malformed file structure at buffer index i and stops.
func (fr *fileReader) structural(i int, format string, args ...any) error {
	off, line := fr.r.position(i)
	fr.s.problem(Problem{Path: fr.path, Record: -1, Offset: off, Line: line, Message: fmt.Sprintf(format, args...)})
	return errStop
}

func (fr *fileReader) top(ctx context.Context) error {
	c, err := fr.r.skipSpace()
	if err != nil {
		return err
	}
	if c == eof {
		if fr.r.offset() == 0 {
			fr.s.fileProblem(fr.path, "empty file")
		} else {
			fr.s.fileProblem(fr.path, "no records: file holds only whitespace")
		}
		return errStop
	}
	switch c {
	case '{':
		isLog, err := fr.r.logFileStart()
		var ve *valueError
		if errors.As(err, &ve) {
			return fr.structural(ve.at, "%s", ve.msg)
		}
		if err != nil {
			return err
		}
		if isLog {
			return fr.logFile(ctx)
		}
		return fr.sequence(ctx)
	case '[':
		return fr.structural(fr.r.pos, "top-level array: want a record, NDJSON records or {\"Records\":[…]}")
	}
	return fr.structural(fr.r.pos, "not JSON: invalid character %s at start of input", quoteByte(byte(c)))
}

// logFile reads the Records array; the cursor is after its '['.
func (fr *fileReader) logFile(ctx context.Context) error {
	c, err := fr.r.skipSpace()
	if err != nil {
		return err
	}
	if c == ']' {
		fr.r.pos++
		return fr.logFileEnd()
	}
	for {
		if err := fr.record(ctx, fr.r.value); err != nil {
			return err
		}
		c, err := fr.r.skipSpace()
		if err != nil {
			return err
		}
		switch c {
		case ',':
			fr.r.pos++
			if _, err := fr.r.skipSpace(); err != nil {
				return err
			}
		case ']':
			fr.r.pos++
			return fr.logFileEnd()
		case eof:
			return fr.structural(fr.r.pos, "unexpected end of input in Records array (truncated file?)")
		default:
			return fr.structural(fr.r.pos, "invalid character %s after record %d in Records array", quoteByte(byte(c)), fr.index-1)
		}
	}
}

// logFileEnd reads what follows the Records array: '}' and nothing else.
func (fr *fileReader) logFileEnd() error {
	c, err := fr.r.skipSpace()
	if err != nil {
		return err
	}
	switch c {
	case '}':
		fr.r.pos++
	case eof:
		return fr.structural(fr.r.pos, "unexpected end of input after Records array (truncated file?)")
	case ',':
		return fr.structural(fr.r.pos, "log file has members after Records; want only {\"Records\":[…]}")
	default:
		return fr.structural(fr.r.pos, "invalid character %s after Records array", quoteByte(byte(c)))
	}
	c, err = fr.r.skipSpace()
	if err != nil {
		return err
	}
	if c != eof {
		return fr.structural(fr.r.pos, "data after the end of the log file")
	}
	return nil
}

// sequence reads records separated by whitespace: one record, NDJSON, or
// concatenated (pretty-printed) records. When the first record is one line
// followed by a newline, the file is NDJSON and every further line is a
// record, so that a malformed line cannot hide the lines after it.
func (fr *fileReader) sequence(ctx context.Context) error {
	ndjson := false
	for {
		c, err := fr.r.skipSpace()
		if err != nil {
			return err
		}
		switch {
		case c == eof:
			return nil
		case ndjson:
			if err := fr.record(ctx, fr.r.line); err != nil {
				return err
			}
		case c == '{':
			if err := fr.record(ctx, fr.r.value); err != nil {
				return err
			}
			if fr.index == 1 {
				ndjson = fr.r.endsLine()
			}
		default:
			return fr.structural(fr.r.pos, "not JSON: invalid character %s where a record should start", quoteByte(byte(c)))
		}
	}
}

// record reads the record at the cursor with next (reader.value or
// reader.line) and validates it.
func (fr *fileReader) record(ctx context.Context, next func() (int, error)) error {
	if fr.index%1024 == 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	end, err := next()
	if err != nil {
		var ve *valueError
		if errors.As(err, &ve) {
			return fr.structural(ve.at, "%s (record %d starts at byte %d)", ve.msg, fr.index, fr.r.base+int64(ve.start))
		}
		return err
	}
	rec := fr.r.buf[fr.r.mark:end] // value keeps mark at the record's start
	off, line := fr.r.position(fr.r.mark)
	fr.s.out.emit(item{kind: itemRecord, path: fr.path, index: fr.index, off: off, line: line}, rec)
	fr.index++
	fr.s.sum.Records++
	return nil
}

func quoteByte(c byte) string {
	if c < 0x20 || c >= 0x7f {
		return fmt.Sprintf("byte 0x%02x", c)
	}
	return strconv.QuoteRune(rune(c))
}

// readError is an error from the underlying (possibly gzip) reader.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

func (e *readError) describe(off int64) string {
	switch {
	case errors.Is(e.err, io.ErrUnexpectedEOF):
		return fmt.Sprintf("truncated gzip stream after %d bytes of content", off)
	case errors.Is(e.err, gzip.ErrChecksum):
		return "gzip checksum mismatch: content is corrupt"
	case errors.Is(e.err, gzip.ErrHeader):
		return fmt.Sprintf("bad gzip data after %d bytes of content", off)
	}
	return fmt.Sprintf("read error after %d bytes: %v", off, e.err)
}

// valueError is malformed structure found while delimiting a value.
type valueError struct {
	at, start int // buffer indexes of the problem and the value's start
	msg       string
}

func (e *valueError) Error() string { return e.msg }

// reader is a growing window over a stream that delimits JSON values
// without decoding them; schemas.Validator does the decoding.
type reader struct {
	r     io.Reader
	buf   []byte
	pos   int   // cursor
	mark  int   // start of the value being read; bytes before it may go
	base  int64 // stream offset of buf[0]
	lines int   // newlines in the stream before buf[0]
	eof   bool
	// max is the largest record held (0: MaxRecordBytes); tests lower it.
	max int
	// Newlines are counted incrementally: cntLines newlines precede
	// buf[cntIdx].
	cntIdx   int
	cntLines int
}

func (r *reader) reset(src io.Reader) {
	r.r = src
	if r.buf == nil {
		r.buf = make([]byte, 0, 256<<10)
	}
	r.buf = r.buf[:0]
	r.pos, r.mark, r.base, r.lines, r.eof = 0, 0, 0, 0, false
	r.cntIdx, r.cntLines = 0, 0
}

// offset returns the stream offset of the cursor.
func (r *reader) offset() int64 { return r.base + int64(r.pos) }

// position returns the stream offset and 1-based line of buffer index i.
// Calls with growing i count each byte once.
func (r *reader) position(i int) (int64, int) {
	i = min(max(i, 0), len(r.buf))
	if i < r.cntIdx {
		return r.base + int64(i), r.lines + bytes.Count(r.buf[:i], []byte{'\n'}) + 1
	}
	r.cntLines += bytes.Count(r.buf[r.cntIdx:i], []byte{'\n'})
	r.cntIdx = i
	return r.base + int64(i), r.cntLines + 1
}

// fill reads more input, keeping buf[mark:]. It returns false at the end of
// input.
func (r *reader) fill() (bool, error) {
	if r.eof {
		return false, nil
	}
	if r.mark > 0 && r.mark >= len(r.buf)/2 {
		if r.cntIdx > r.mark {
			r.cntIdx, r.cntLines = 0, r.lines
		}
		r.position(r.mark)
		r.lines = r.cntLines
		r.cntIdx = 0
		n := copy(r.buf, r.buf[r.mark:])
		r.base += int64(r.mark)
		r.pos -= r.mark
		r.buf = r.buf[:n]
		r.mark = 0
	}
	if len(r.buf) == cap(r.buf) {
		if len(r.buf)-r.mark >= r.limit() {
			return false, errTooLarge
		}
		nb := make([]byte, len(r.buf), 2*cap(r.buf))
		copy(nb, r.buf)
		r.buf = nb
	}
	n, err := r.r.Read(r.buf[len(r.buf):cap(r.buf)])
	r.buf = r.buf[:len(r.buf)+n]
	if err == io.EOF {
		r.eof = true
		return n > 0, nil
	}
	if err != nil {
		return n > 0, &readError{err}
	}
	return true, nil
}

// errTooLarge reports a record longer than the reader holds.
var errTooLarge = errors.New("record too large")

// limit returns the largest record r holds.
func (r *reader) limit() int {
	if r.max > 0 {
		return r.max
	}
	return MaxRecordBytes
}

// fillValue is fillAt while reading a value: a value too large to hold is
// a valueError.
func (r *reader) fillValue(i *int) (bool, error) {
	more, err := r.fillAt(i)
	if errors.Is(err, errTooLarge) {
		return false, &valueError{at: r.mark, start: r.mark, msg: fmt.Sprintf("record larger than %d bytes", r.limit())}
	}
	return more, err
}

// eof is what skipSpace returns at the end of input.
const eof = -1

// skipSpace moves the cursor past whitespace and returns the byte there, or
// eof.
func (r *reader) skipSpace() (int, error) {
	r.mark = r.pos
	for {
		for r.pos < len(r.buf) {
			switch c := r.buf[r.pos]; c {
			case ' ', '\t', '\n', '\r':
				r.pos++
			default:
				return int(c), nil
			}
		}
		r.mark = r.pos
		more, err := r.fill()
		if err != nil {
			return eof, err
		}
		if !more && r.pos >= len(r.buf) {
			return eof, nil
		}
	}
}

// fillAt is fill for a scan at buffer index *i, which it keeps pointing at
// the same byte when the window moves.
func (r *reader) fillAt(i *int) (bool, error) {
	old := r.mark
	more, err := r.fill()
	*i -= old - r.mark
	return more, err
}

// logFileStart reports whether the object at the cursor starts with
// "Records": [ and if so moves the cursor after the '['.
func (r *reader) logFileStart() (bool, error) {
	r.mark = r.pos
	const want = `"Records"`
	i := r.pos + 1
	step := func() (byte, error) { // next non-space byte at or after i
		for {
			for i < len(r.buf) {
				switch c := r.buf[i]; c {
				case ' ', '\t', '\n', '\r':
					i++
				default:
					return c, nil
				}
			}
			if i-r.pos > 4096 {
				return 0, nil
			}
			more, err := r.fillAt(&i)
			if err != nil || !more {
				return 0, err
			}
		}
	}
	if c, err := step(); err != nil || c != '"' {
		return false, err
	}
	for len(r.buf)-i < len(want) {
		more, err := r.fillAt(&i)
		if err != nil || !more {
			return false, err
		}
	}
	if string(r.buf[i:i+len(want)]) != want {
		return false, nil
	}
	i += len(want)
	if c, err := step(); err != nil || c != ':' {
		return false, err
	}
	i++
	c, err := step()
	if err != nil {
		return false, err
	}
	if c != '[' {
		return false, &valueError{at: i, start: r.mark, msg: "Records is not an array"}
	}
	r.pos = i + 1
	return true, nil
}

// value delimits the JSON value at the cursor (mark is set to its start)
// and returns the buffer index of its end; the cursor moves there.
func (r *reader) value() (int, error) {
	r.mark = r.pos
	depth := 0
	i := r.pos
	scalar := false
	for {
		for i < len(r.buf) {
			c := r.buf[i]
			if scalar {
				switch c {
				case ' ', '\t', '\n', '\r', ',', ']', '}', '{', '[', '"':
					r.pos = i
					return i, nil
				}
				i++
				continue
			}
			switch c {
			case '{', '[':
				depth++
				if depth > schemas.MaxDepth {
					return 0, &valueError{at: i, start: r.mark, msg: fmt.Sprintf("nesting deeper than %d", schemas.MaxDepth)}
				}
				i++
			case '}', ']':
				depth--
				i++
				if depth <= 0 {
					r.pos = i
					if depth < 0 {
						return 0, &valueError{at: i - 1, start: r.mark, msg: fmt.Sprintf("unexpected %q", c)}
					}
					return i, nil
				}
			case '"':
				j, ok := stringEnd(r.buf, i+1)
				if !ok {
					goto more
				}
				i = j
				if depth == 0 {
					r.pos = i
					return i, nil
				}
			default:
				if depth == 0 {
					scalar = true
					continue
				}
				i++
			}
		}
	more:
		more, err := r.fillValue(&i)
		if err != nil {
			return 0, err
		}
		if !more {
			if scalar && i >= len(r.buf) {
				r.pos = i
				return i, nil
			}
			return 0, &valueError{at: len(r.buf), start: r.mark, msg: "unexpected end of input inside a record (truncated file?)"}
		}
	}
}

// line delimits the line at the cursor (mark is set to its start), without
// its line ending and trailing spaces, and returns the buffer index of its
// end; the cursor moves past the newline.
func (r *reader) line() (int, error) {
	r.mark = r.pos
	i := r.pos
	for {
		if j := bytes.IndexByte(r.buf[i:], '\n'); j >= 0 {
			end := i + j
			r.pos = end + 1
			return trimEnd(r.buf, r.mark, end), nil
		}
		i = len(r.buf)
		more, err := r.fillValue(&i)
		if err != nil {
			return 0, err
		}
		if !more {
			r.pos = len(r.buf)
			return trimEnd(r.buf, r.mark, len(r.buf)), nil
		}
	}
}

func trimEnd(b []byte, start, end int) int {
	for end > start {
		switch b[end-1] {
		case ' ', '\t', '\r':
			end--
		default:
			return end
		}
	}
	return end
}

// endsLine reports whether the value just read (buf[mark:pos]) is on one
// line and followed by a newline (after spaces).
func (r *reader) endsLine() bool {
	if bytes.IndexByte(r.buf[r.mark:r.pos], '\n') >= 0 {
		return false
	}
	i := r.pos
	for {
		for i < len(r.buf) {
			switch r.buf[i] {
			case ' ', '\t', '\r':
				i++
			case '\n':
				return true
			default:
				return false
			}
		}
		if more, err := r.fillAt(&i); err != nil || !more {
			return false
		}
	}
}

// stringEnd returns the index after the closing quote of the string whose
// contents start at i, or false when buf ends first.
func stringEnd(buf []byte, i int) (int, bool) {
	for {
		j := bytes.IndexByte(buf[i:], '"')
		if j < 0 {
			return 0, false
		}
		j += i
		k := j
		for k > i && buf[k-1] == '\\' {
			k--
		}
		if (j-k)%2 == 0 {
			return j + 1, true
		}
		i = j + 1
	}
}
