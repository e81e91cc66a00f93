package media

import (
	"encoding/binary"
	"errors"
)

// errNotStrippable: the JPEG's structure is not one stripJPEG copies with confidence; the
// caller re-encodes instead.
var errNotStrippable = errors.New("media: jpeg structure not strippable")

// stripJPEG returns the JPEG in data without its metadata: every APPn segment except JFIF
// (APP0) and Adobe (APP14, which says how to read the colours), and every comment; Exif,
// XMP, IPTC and the GPS position among them. The compressed image is copied as it is, so
// nothing is lost, and nothing after the end-of-image marker is kept.
func stripJPEG(data []byte) ([]byte, error) {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return nil, errNotStrippable
	}
	out := make([]byte, 0, len(data))
	out = append(out, 0xFF, 0xD8)
	for i := 2; ; {
		if i+1 >= len(data) || data[i] != 0xFF {
			return nil, errNotStrippable
		}
		marker := data[i+1]
		switch {
		case marker == 0xFF: // fill byte
			i++
			continue
		case marker == 0xD9: // end of image
			return append(out, 0xFF, 0xD9), nil
		case marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7):
			return nil, errNotStrippable // standalone markers belong inside scans
		}
		if i+4 > len(data) {
			return nil, errNotStrippable
		}
		end := i + 2 + int(binary.BigEndian.Uint16(data[i+2:]))
		if end > len(data) || end < i+4 {
			return nil, errNotStrippable
		}
		if !metadata(marker) {
			out = append(out, data[i:end]...)
		}
		i = end
		if marker == 0xDA { // start of scan: the entropy-coded data follows
			n := scanLength(data[i:])
			out, i = append(out, data[i:i+n]...), i+n
		}
	}
}

// metadata reports whether a segment with marker carries metadata rather than the image.
func metadata(marker byte) bool {
	return (marker >= 0xE1 && marker <= 0xED) || marker == 0xEF || marker == 0xFE
}

// scanLength returns how many bytes of entropy-coded data begin scan: up to the first marker
// that is neither a stuffed 0xFF00 nor a restart marker.
func scanLength(scan []byte) int {
	for i := 0; i+1 < len(scan); i++ {
		if scan[i] != 0xFF {
			continue
		}
		if m := scan[i+1]; m != 0x00 && (m < 0xD0 || m > 0xD7) && m != 0xFF {
			return i
		}
	}
	return len(scan)
}
