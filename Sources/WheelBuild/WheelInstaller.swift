import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WheelArchive
import WheelModel
import WheelStore

/// Installs build requirements without an installer process, for builds that take them from
/// local wheel folders only (`--no-index -f DIR`, a CI wheelhouse). pip spends 1.5-3.5 s per
/// build environment starting, resolving and installing one file at a time; this reads the
/// folders, picks versions as pip does, validates each wheel (RECORD both ways, hashes),
/// unpacks it into the venv and compiles the bytecode in parallel.
///
/// The resolver is deliberately small: the newest final release that satisfies every
/// requirement seen so far and whose wheel the interpreter can install. Whenever pip could
/// decide differently (a constraint arriving after its project was chosen, only
/// pre-releases or sdists matching, a direct URL, a clause it cannot read) it gives up and
/// the environment is made by uv or pip, as before.
struct WheelInstaller {
    let interpreter: Interpreter
    let folders: [String]

    /// A wheel picked for an environment, validated.
    struct Picked {
        let path: String
        let wheel: ValidatedWheel
    }

    private struct Candidate {
        let path: String
        let version: Version
        let rank: Int
    }

    /// A PEP 508 requirement as far as the resolver reads one.
    struct Requirement: Equatable {
        let name: String
        let extras: [String]
        let specifier: String
        let marker: Marker?

        /// nil for what is left to pip: direct URLs, unreadable names, markers or clauses.
        init?(_ text: String) {
            var rest = Substring(text.trimmingSpaces())
            var markerText: Substring?
            if let semicolon = rest.firstIndex(of: ";") {
                markerText = rest[rest.index(after: semicolon)...]
                rest = rest[..<semicolon]
            }
            let name = rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
            guard !name.isEmpty else { return nil }
            rest = rest.dropFirst(name.count).drop { $0 == " " }
            var extras: [String] = []
            if rest.first == "[" {
                guard let close = rest.firstIndex(of: "]") else { return nil }
                extras = rest[rest.index(after: rest.startIndex)..<close].split(separator: ",")
                    .map { ProjectName.normalize($0.trimmingSpaces()) }.filter { !$0.isEmpty }
                rest = rest[rest.index(after: close)...]
            }
            var specifier = rest.trimmingSpaces()
            if specifier.hasPrefix("(") && specifier.hasSuffix(")") { specifier = String(specifier.dropFirst().dropLast()) }
            for clause in specifier.split(separator: ",") {
                let text = clause.trimmingSpaces()
                let op = text.prefix { "<>=!~".contains($0) }
                guard ["===", "~=", "==", "!=", "<=", ">=", "<", ">"].contains(String(op)), text.count > op.count else { return nil }
            }
            self.name = ProjectName.normalize(String(name))
            self.extras = extras
            self.specifier = specifier
            if let markerText {
                guard let marker = try? Marker(String(markerText)) else { return nil }
                self.marker = marker
            } else {
                marker = nil
            }
        }
    }

    /// The wheels for `requirements` and everything they need, or nil when pip should decide.
    func resolve(_ requirements: [String]) -> [Picked]? {
        guard let markers = interpreter.markerEnvironment, let python = Version(interpreter.version) else { return nil }
        let (wheels, sdists) = listFolders()
        var picked: [String: Picked] = [:]
        var order: [String] = []
        var specifiers: [String: [String]] = [:]
        var extrasDone: [String: Set<String>] = [:]
        var queue: [(text: String, extra: String)] = requirements.map { ($0, "") }
        while !queue.isEmpty {
            let (text, extra) = queue.removeFirst()
            guard let requirement = Requirement(text) else { return nil }
            var environment = markers
            environment["extra"] = extra
            if let marker = requirement.marker, !marker.evaluate(environment) { continue }
            specifiers[requirement.name, default: []].append(requirement.specifier)
            if let chosen = picked[requirement.name] {
                // pip would go back and choose again; this resolver leaves that case to pip.
                guard let version = Version(chosen.wheel.version),
                      VersionSpecifier.satisfies(version, requirement.specifier) == true else { return nil }
            } else {
                guard let chosen = pick(wheels[requirement.name] ?? [], sdists[requirement.name] ?? [],
                                        specifiers[requirement.name]!, python: python) else { return nil }
                picked[requirement.name] = chosen
                order.append(requirement.name)
                queue += chosen.wheel.requiresDist.map { ($0, "") }
            }
            // Dependencies behind an extra (`extra == "x"` markers), once per extra asked for;
            // an extra the project does not declare is ignored, as pip ignores it.
            let wheel = picked[requirement.name]!.wheel
            let declared = Set(wheel.providesExtra.map(ProjectName.normalize))
            for name in requirement.extras where declared.contains(name) && extrasDone[requirement.name, default: []].insert(name).inserted {
                queue += wheel.requiresDist.map { ($0, name) }
            }
        }
        return order.map { picked[$0]! }
    }

    /// The newest final release satisfying `specifiers`, best tag first; nil when pip might
    /// choose otherwise (a newer sdist, only pre-releases) or no wheel is valid.
    private func pick(_ wheels: [Candidate], _ sdists: [Version], _ specifiers: [String],
                      python: Version) -> Picked? {
        let specifier = specifiers.joined(separator: ",")
        func allowed(_ version: Version) -> Bool? { VersionSpecifier.satisfies(version, specifier) }
        var matching: [Candidate] = []
        for candidate in wheels {
            guard let ok = allowed(candidate.version) else { return nil }
            if ok { matching.append(candidate) }
        }
        // Only pre-releases matching: pip may take one, or not (it depends on the specifiers).
        let finals = matching.filter { $0.version.pre == nil && $0.version.dev == nil }
            .sorted { $0.version != $1.version ? $0.version > $1.version : $0.rank < $1.rank }
        for candidate in finals {
            // A wheel that does not validate: pip would fail on it, not pass it over.
            guard let wheel = try? WheelValidator().validate(candidate.path) else { return nil }
            // One for another Python is passed over, as pip passes it over.
            if let requires = wheel.requiresPython, VersionSpecifier.satisfies(python, requires) != true { continue }
            // pip would build a newer sdist rather than install this wheel.
            for sdist in sdists where sdist > candidate.version && sdist.pre == nil && sdist.dev == nil {
                if allowed(sdist) != false { return nil }
            }
            return Picked(path: candidate.path, wheel: wheel)
        }
        return nil
    }

    /// The installable wheels and the sdist versions in the folders, by normalized name.
    private func listFolders() -> ([String: [Candidate]], [String: [Version]]) {
        var wheels: [String: [Candidate]] = [:]
        var sdists: [String: [Version]] = [:]
        for folder in folders {
            for item in FileTree.items(folder) where item.kind == .file || item.kind == .link {
                let path = folder + "/" + item.name
                if item.name.hasSuffix(".whl") {
                    guard let file = try? WheelFileName(item.name), let version = Version(file.version),
                          let rank = interpreter.rank(of: file) else { continue }
                    wheels[file.normalizedName, default: []].append(Candidate(path: path, version: version, rank: rank))
                } else if let (name, text) = SdistFileName.nameAndVersion(item.name), let version = Version(text) {
                    sdists[name, default: []].append(version)
                }
            }
        }
        return (wheels, sdists)
    }

    // MARK: Installing

    /// Unpacks `wheels` into the venv at `venv` (made without pip), then, with `compile`,
    /// compiles bytecode.
    func install(_ wheels: [Picked], into venv: String, compile: Bool = true, env: [String: String],
                 log: String) throws(BuildError) {
        guard let site = WheelInstaller.sitePackages(of: venv) else {
            throw .io(path: venv, reason: "the new venv has no lib/pythonX.Y/site-packages")
        }
        let python = venv + "/bin/python"
        for picked in wheels {
            let staging = venv + "/.unpacking-" + picked.wheel.fileName.normalizedName
            defer { FileTree.remove(staging) }
            guard mkdir(staging, 0o700) == 0 else { throw .io(path: staging, reason: "cannot create the unpacking folder") }
            do { try SdistUnpacker(limits: .wheel).unpackAll(picked.path, into: staging) } catch {
                throw .io(path: picked.path, reason: "\(error)")
            }
            let data = String(picked.wheel.distInfo.dropLast(".dist-info".count)) + ".data"
            for item in FileTree.items(staging) where item.name != data {
                try WheelInstaller.merge(staging + "/" + item.name, into: site + "/" + item.name)
            }
            for item in FileTree.items(staging + "/" + data) {
                let from = staging + "/" + data + "/" + item.name
                switch item.name {
                case "purelib", "platlib":
                    try WheelInstaller.merge(from, into: site)
                case "scripts":
                    for script in FileTree.items(from) { try WheelInstaller.installScript(from + "/" + script.name, into: venv + "/bin", python: python) }
                case "data":
                    try WheelInstaller.merge(from, into: venv)
                case "headers":
                    let parent = venv + "/include/site/python" + interpreter.pythonVersion
                    try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
                    try WheelInstaller.merge(from, into: parent + "/" + picked.wheel.name)
                default:
                    throw .io(path: picked.path, reason: "unknown .data folder '\(item.name)'")
                }
            }
            let distInfo = site + "/" + picked.wheel.distInfo
            try? writeScratchFile("wheelcache\n", to: distInfo + "/INSTALLER")
            if let entryPoints = WheelInstaller.text(distInfo + "/entry_points.txt") {
                for (name, target) in WheelInstaller.scripts(entryPoints) {
                    try WheelInstaller.writeLauncher(name: name, target: target, into: venv + "/bin", python: python)
                }
            }
        }
        // Bytecode now, in parallel: the environment is shared read-only, so builds cannot
        // write it later. As with pip, a file that does not compile is not an error.
        guard compile else { return }
        _ = try ProcessRunner.run(python, ["-m", "compileall", "-q", "-j", "0", site], environment: env, log: log)
    }

    static func text(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    static func sitePackages(of venv: String) -> String? {
        for item in FileTree.items(venv + "/lib") where item.kind == .folder && item.name.hasPrefix("python") {
            let site = venv + "/lib/" + item.name + "/site-packages"
            if FileTree.kind(site) == .folder { return site }
        }
        return nil
    }

    /// Moves `source` to `target`; folders that both have are merged, and a file that is
    /// already there is replaced (a later wheel wins, as with pip).
    static func merge(_ source: String, into target: String) throws(BuildError) {
        if FileTree.kind(source) == .folder, FileTree.kind(target) == .folder {
            for item in FileTree.items(source) { try merge(source + "/" + item.name, into: target + "/" + item.name) }
            return
        }
        if FileTree.kind(target) == .folder { FileTree.remove(target) }
        guard rename(source, target) == 0 else { throw .io(path: target, reason: "cannot install: " + String(cString: strerror(errno))) }
    }

    /// A `.data/scripts` file: `#!python` becomes the venv's interpreter, and it is made executable.
    static func installScript(_ source: String, into bin: String, python: String) throws(BuildError) {
        let target = bin + "/" + PathText.lastComponent(source)
        if var text = WheelInstaller.text(source), text.hasPrefix("#!python") {
            let end = text.firstIndex(where: \.isNewline) ?? text.endIndex
            text.replaceSubrange(text.startIndex..<end, with: "#!" + python)
            do { try writeScratchFile(text, to: target) } catch { throw .cannotWrite(target, "the script", error) }
        } else {
            try merge(source, into: target)
        }
        chmod(target, 0o755 & ~ProcessUmask.value)
    }

    /// `console_scripts` and `gui_scripts` of an `entry_points.txt`: (name, `module:attr`).
    static func scripts(_ text: String) -> [(String, String)] {
        var section = ""
        var found: [(String, String)] = []
        for line in text.split(whereSeparator: \.isNewline).map({ $0.trimmingSpaces() }) where !line.isEmpty && !line.hasPrefix("#") && !line.hasPrefix(";") {
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast()).trimmingSpaces()
                continue
            }
            guard section == "console_scripts" || section == "gui_scripts", let equals = line.firstIndex(of: "=") else { continue }
            let name = line[..<equals].trimmingSpaces()
            let target = line[line.index(after: equals)...].trimmingSpaces()
            if !name.isEmpty && !name.contains("/") && target.contains(":") { found.append((name, target)) }
        }
        return found
    }

    /// A launcher as pip writes one: imports `module`, calls `attr` (dots allowed), exits with its result.
    static func writeLauncher(name: String, target: String, into bin: String, python: String) throws(BuildError) {
        let spec = target.split(separator: "[").first.map { $0.trimmingSpaces() } ?? target
        let parts = spec.split(separator: ":", maxSplits: 1).map { $0.trimmingSpaces() }
        guard parts.count == 2, let head = parts[1].split(separator: ".").first else { return }
        let script = """
            #!\(python)
            import re
            import sys
            from \(parts[0]) import \(head)
            if __name__ == "__main__":
                sys.argv[0] = re.sub(r"(-script\\.pyw|\\.exe)?$", "", sys.argv[0])
                sys.exit(\(parts[1])())

            """
        let path = bin + "/" + name
        do { try writeScratchFile(script, to: path) } catch { throw .cannotWrite(path, "the launcher", error) }
        chmod(path, 0o755 & ~ProcessUmask.value)
    }
}
