import Crypto

extension Sequence where Element == UInt8 {
    /// Lowercase hexadecimal text of the bytes.
    public var hexString: String {
        let digits: [Character] = Array("0123456789abcdef")
        var out = ""
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return out
    }
}

extension Digest {
    /// Lowercase hexadecimal text of the digest.
    public var hexString: String { self.withUnsafeBytes { Array($0) }.hexString }
}
