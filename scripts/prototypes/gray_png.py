"""Shared by the PyTorch prototypes (not part of the product): one 64 x 64 sample in [-1, 1] (ink +1) to an 8-bit
grayscale PNG with paper white, as the trainer's floatToGray renders a generated sample; no dependency beyond numpy."""
import struct, zlib
import numpy as np

def png(path, img):
  g8 = np.clip(np.rint(255 - 255 * (img + 1) / 2), 0, 255).astype(np.uint8)
  raw = b''.join(b'\x00' + g8[r].tobytes() for r in range(g8.shape[0]))
  chunk = lambda t, c: struct.pack('>I', len(c)) + t + c + struct.pack('>I', zlib.crc32(t + c) & 0xffffffff)
  with open(path, 'wb') as f:
    f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', g8.shape[1], g8.shape[0], 8, 0, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw, 6)) + chunk(b'IEND', b''))
