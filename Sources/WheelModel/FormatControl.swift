/// pip's `--no-binary` and `--only-binary` for pins: which projects must come from an sdist
/// and which only as wheels. A project named in one beats `:all:` in the other; named in
/// both (or `:all:` in both) is a conflict.
public struct FormatControl: Equatable, Sendable {
    public enum Choice: Equatable, Sendable { case any, sdistOnly, wheelOnly }

    public var noBinary = PackageSelector()
    public var onlyBinary = PackageSelector()

    public init(noBinary: PackageSelector = PackageSelector(), onlyBinary: PackageSelector = PackageSelector()) {
        self.noBinary = noBinary
        self.onlyBinary = onlyBinary
    }

    /// The choice for `name`; nil when both options name it equally.
    public func choice(for name: String) -> Choice? {
        let normalized = ProjectName.normalize(name)
        func strength(_ selector: PackageSelector) -> Int { selector.names.contains(normalized) ? 2 : (selector.all ? 1 : 0) }
        let sdist = strength(noBinary), wheel = strength(onlyBinary)
        if sdist == wheel { return sdist == 0 ? .any : nil }
        return sdist > wheel ? .sdistOnly : .wheelOnly
    }

    /// Adds another set of option values (a requirements file's), pip's rules for each.
    public mutating func add(noBinary more: [String], onlyBinary moreOnly: [String]) throws(ModelError) {
        noBinary = try PackageSelector(arguments: noBinary.arguments + more)
        onlyBinary = try PackageSelector(arguments: onlyBinary.arguments + moreOnly)
    }
}

extension PackageSelector {
    /// The selection as option values that rebuild it.
    public var arguments: [String] { all ? [":all:"] : names.sorted() }
}
