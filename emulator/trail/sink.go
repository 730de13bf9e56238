package trail

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/firetrail/firetrail/internal/atomicfile"
)

// Sink stores delivered objects. Put stores body under key; meta holds S3
// user metadata with lower-case names and no "x-amz-meta-" prefix (digest
// files carry "signature" and "signature-algorithm"). The bucket is the
// sink's business; Config.Bucket only names it inside digests and notices.
//
// Put may be called from several goroutines, but a Trail calls it from one
// at a time, in delivery order. Put must not keep body after it returns.
type Sink interface {
	Put(ctx context.Context, key string, body []byte, meta map[string]string) error
}

// A LogSink is a Sink that is also handed, with each log file it stores,
// Config.RecordDigest of each of the file's records, in the file's order:
// for a sink that matches the records it stores to others (the emulator
// matches them to its journal) without decompressing the file. With
// Config.RecordDigest set, the trail calls PutLog instead of Put for every
// log file (digest files still come through Put); digests must not be
// kept after PutLog returns.
type LogSink interface {
	Sink
	PutLog(ctx context.Context, key string, body []byte, digests []uint64, meta map[string]string) error
}

// DirSink writes objects as files under Root, one file per key, creating
// directories as needed. Each file is written to a temporary name in its
// directory and renamed into place, so readers never see a partial file
// (TreeSink writes in place). Metadata is not stored.
type DirSink struct {
	Root string
	// Mode is the permission of the files written; 0 is 0644, public
	// output (`firetrail generate`). Directories made on the way get Mode
	// with an execute bit for each read bit (0644: 0755, 0600: 0700).
	// Existing files and directories are not changed, but a file replaced
	// by Put gets Mode.
	Mode os.FileMode
}

// DefaultFileMode is the mode of DirSink's files when Mode is 0.
const DefaultFileMode os.FileMode = 0o644

// PrivateFileMode is the mode of files that only their owner may read:
// every state file of a data directory.
const PrivateFileMode os.FileMode = 0o600

// modes returns the file and directory modes of s.
func (s DirSink) modes() (file, dir os.FileMode) {
	file = s.Mode.Perm()
	if file == 0 {
		file = DefaultFileMode
	}
	return file, file | (file&0o444)>>2
}

// Put writes body to Root/key with mode s.Mode.
func (s DirSink) Put(ctx context.Context, key string, body []byte, meta map[string]string) error {
	if err := checkPut(ctx, "dir", s.Root, key); err != nil {
		return err
	}
	fileMode, dirMode := s.modes()
	path := joinKey(s.Root, key)
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if err := atomicfile.Write(path, body, fileMode); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// TreeSink writes objects as files under a root directory, one file per
// key, each in place (create, write, close): half the system calls of
// DirSink's temporary name and rename. Readers may see a partial file, so
// it is for a root that is itself temporary and renamed into place once
// complete, as `firetrail generate` does. Modes are DirSink's.
//
// On Linux it keeps the directories it writes into open (up to
// maxTreeDirs) and creates each file by its name in its directory, so the
// kernel does not walk the whole path again for every file; a new file is
// chmod-ed only if the process's umask, read once, takes bits of the mode
// away: the umask must not change while a TreeSink writes. Close releases
// the directories. A TreeSink is safe for concurrent use.
type TreeSink struct {
	root      string
	file, dir os.FileMode

	mu     sync.Mutex
	dirs   map[string]treeDir // by the directory part of the key ("" is root)
	closed bool
}

// maxTreeDirs is how many directories a TreeSink keeps open: a CloudTrail
// tree fills one directory per account, region and day, and goes back to
// few of them once it has moved on, so all are closed when it is reached.
const maxTreeDirs = 64

// NewTreeSink returns a TreeSink writing under root with DirSink's mode
// rules for mode (0 is 0644).
func NewTreeSink(root string, mode os.FileMode) *TreeSink {
	file, dir := DirSink{Mode: mode}.modes()
	return &TreeSink{root: root, file: file, dir: dir}
}

// Put writes body to root/key in place, making its directory if there is
// none.
func (s *TreeSink) Put(ctx context.Context, key string, body []byte, meta map[string]string) error {
	if err := checkPut(ctx, "tree", s.root, key); err != nil {
		return err
	}
	dir, name := "", key
	if i := strings.LastIndexByte(key, '/'); i >= 0 {
		dir, name = key[:i], key[i+1:]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("put %s: tree sink closed", key)
	}
	if err := s.put(dir, name, body); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// Close releases the directories s holds open; later Puts fail.
func (s *TreeSink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return s.closeDirs()
}

// dirPath is the path of the directory dir (a key's directory part, ""
// for the root) under the root.
func (s *TreeSink) dirPath(dir string) string {
	if dir == "" {
		return s.root
	}
	return joinKey(s.root, dir)
}

// joinKey is filepath.Join(root, key) for a key checkKey accepted (clean
// and relative already): only root is cleaned, where Join cleaned the
// whole path, which was half a percent of `firetrail generate`'s work.
func joinKey(root, key string) string {
	switch root = filepath.Clean(root); root {
	case ".":
		return filepath.FromSlash(key)
	case string(filepath.Separator):
		return root + filepath.FromSlash(key)
	}
	return root + string(filepath.Separator) + filepath.FromSlash(key)
}

// checkPut is what a Put of the sink kind under root checks first: the
// context, the root and the key.
func checkPut(ctx context.Context, kind, root, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if root == "" {
		return fmt.Errorf("%s sink: empty root", kind)
	}
	if err := checkKey(key); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// checkKey rejects keys that would escape a directory root or name nothing.
func checkKey(key string) error {
	if key == "" || strings.HasPrefix(key, "/") || strings.Contains(key, "\\") {
		return fmt.Errorf("invalid key %q", key)
	}
	for part := range strings.SplitSeq(key, "/") {
		if part == "" || part == "." || part == ".." {
			return fmt.Errorf("invalid key %q", key)
		}
	}
	return nil
}

// Object is one object held by a MemSink.
type Object struct {
	Key  string
	Body []byte
	Meta map[string]string
}

// MemSink keeps objects in memory, in the order they were put. It is meant
// for tests and is safe for concurrent use. The zero value is ready to use.
type MemSink struct {
	mu      sync.Mutex
	objects []Object
	index   map[string]int
}

// Put stores a copy of body and meta under key, replacing an earlier object
// with the same key (it keeps its original position).
func (s *MemSink) Put(ctx context.Context, key string, body []byte, meta map[string]string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	o := Object{Key: key, Body: slices.Clone(body), Meta: maps.Clone(meta)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.index == nil {
		s.index = make(map[string]int)
	}
	if i, ok := s.index[key]; ok {
		s.objects[i] = o
		return nil
	}
	s.index[key] = len(s.objects)
	s.objects = append(s.objects, o)
	return nil
}

// Get returns the object stored under key.
func (s *MemSink) Get(key string) (Object, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.index[key]
	if !ok {
		return Object{}, false
	}
	return s.objects[i], true
}

// Objects returns the stored objects in the order they were first put.
func (s *MemSink) Objects() []Object {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.objects)
}

// Keys returns the stored keys in the order they were first put.
func (s *MemSink) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, len(s.objects))
	for i, o := range s.objects {
		keys[i] = o.Key
	}
	return keys
}

var (
	_ Sink = DirSink{}
	_ Sink = (*TreeSink)(nil)
	_ Sink = (*MemSink)(nil)
)
