// Little-endian encoding of the binary files chaff writes (sketch,
// decisions and template counts files; docs/formats.md): an Encoder appends
// integers, doubles and length-prefixed strings to a string, a Decoder reads
// them back and turns a read past the end into !ok() instead of undefined
// behaviour. Internal to the library.
#ifndef CHAFF_IO_BINARY_CODEC_H_
#define CHAFF_IO_BINARY_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace chaff {
namespace internal {

class Encoder {
 public:
  explicit Encoder(std::string* out) : out_(out) {}
  void U8(uint8_t v) { out_->push_back(static_cast<char>(v)); }
  void U32(uint32_t v) {
    for (int i = 0; i < 4; ++i) U8(static_cast<uint8_t>(v >> (8 * i)));
  }
  void U64(uint64_t v) {
    for (int i = 0; i < 8; ++i) U8(static_cast<uint8_t>(v >> (8 * i)));
  }
  void F64(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof(bits));
    U64(bits);
  }
  void Str(std::string_view s) {
    U32(static_cast<uint32_t>(s.size()));
    out_->append(s);
  }
  void Bytes(const void* p, size_t n) { out_->append(static_cast<const char*>(p), n); }

 private:
  std::string* out_;
};

// Reads what Encoder wrote; a read past the end sets !ok() and returns 0.
class Decoder {
 public:
  Decoder(const char* p, size_t n) : p_(reinterpret_cast<const unsigned char*>(p)), n_(n) {}
  bool ok() const { return ok_; }
  size_t pos() const { return pos_; }
  size_t left() const { return n_ - pos_; }
  uint8_t U8() { return Need(1) ? p_[pos_++] : 0; }
  uint32_t U32() { return Unsigned<uint32_t>(); }
  uint64_t U64() { return Unsigned<uint64_t>(); }
  double F64() {
    const uint64_t bits = U64();
    double v;
    std::memcpy(&v, &bits, sizeof(v));
    return v;
  }
  std::string Str() {
    const uint32_t n = U32();
    if (!Need(n)) return std::string();
    std::string s(reinterpret_cast<const char*>(p_ + pos_), n);
    pos_ += n;
    return s;
  }
  const char* Take(size_t n) {
    if (!Need(n)) return nullptr;
    const char* at = reinterpret_cast<const char*>(p_ + pos_);
    pos_ += n;
    return at;
  }

 private:
  template <typename T>
  T Unsigned() {
    if (!Need(sizeof(T))) return 0;
    T v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(T{p_[pos_ + i]} << (8 * i));
    pos_ += sizeof(T);
    return v;
  }
  bool Need(size_t n) {
    if (!ok_ || n > n_ - pos_) {
      ok_ = false;
      return false;
    }
    return true;
  }
  const unsigned char* p_;
  size_t n_;
  size_t pos_ = 0;
  bool ok_ = true;
};

inline constexpr bool kLittleEndian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

// n little-endian integers of type T from `bytes` into `out`.
template <typename T>
void LoadLittleEndian(const char* bytes, size_t n, T* out) {
  if (kLittleEndian) {
    std::memcpy(out, bytes, n * sizeof(T));
    return;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(bytes);
  for (size_t i = 0; i < n; ++i) {
    T v = 0;
    for (size_t b = 0; b < sizeof(T); ++b) v |= static_cast<T>(T{p[i * sizeof(T) + b]} << (8 * b));
    out[i] = v;
  }
}

template <typename T>
void StoreLittleEndian(const T* values, size_t n, std::string* out) {
  if (kLittleEndian) {
    out->append(reinterpret_cast<const char*>(values), n * sizeof(T));
    return;
  }
  Encoder e(out);
  for (size_t i = 0; i < n; ++i) {
    if constexpr (sizeof(T) == 4) e.U32(values[i]);
    if constexpr (sizeof(T) == 8) e.U64(values[i]);
  }
}

}  // namespace internal
}  // namespace chaff

#endif  // CHAFF_IO_BINARY_CODEC_H_
