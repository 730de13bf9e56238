package generator

// slab hands out the bytes of requests (requestParameters and
// responseElements) carved from shared chunks, so that a record's request
// costs no allocation of its own. A carved slice is capped at its length
// and its bytes are never written again: records and streams may keep it,
// and appending to it copies. A kept slice keeps its whole chunk alive;
// chunks hold no pointers, so the garbage collector does not scan them.
type slab struct {
	chunk []byte
}

const (
	// slabChunk is the bytes of a chunk: the largest small-object size
	// class (32 KiB) less the allocator's header room. 32 KiB itself is a
	// large object: a span of its own, taken under the heap lock, zeroed
	// in chunks.
	slabChunk  = 32<<10 - 8
	renderRoom = 2 << 10 // room reserved for a rendered request; a larger one allocates on its own
)

// room returns an empty slice at the free end of the chunk with room for at
// least n bytes, starting a new chunk when the current one has less.
func (s *slab) room(n int) []byte {
	if cap(s.chunk)-len(s.chunk) < n {
		s.chunk = make([]byte, 0, max(slabChunk, n))
	}
	return s.chunk[len(s.chunk):len(s.chunk)]
}

// keep takes b, appended to the slice room returned, out of the free part
// of the chunk and returns it capped at its length. When b outgrew the room
// (append moved it to an allocation of its own) the chunk stays as it was.
func (s *slab) keep(b []byte) []byte {
	b = b[:len(b):len(b)]
	if free := s.chunk[len(s.chunk):cap(s.chunk)]; len(b) > 0 && len(b) <= len(free) && &b[0] == &free[0] {
		s.chunk = s.chunk[:len(s.chunk)+len(b)]
	}
	return b
}
