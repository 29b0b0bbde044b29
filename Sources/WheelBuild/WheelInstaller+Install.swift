import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WheelArchive
import WheelFetch
import WheelModel
import WheelSystem

// Installing what the resolver picked: unpacking into the venv, scripts, launchers, bytecode.

extension WheelInstaller {
    /// Unpacks `wheels` into the venv at `venv` (made without pip), then, with `compile`,
    /// compiles bytecode.
    func install(_ wheels: [Picked], into venv: String, compile: Bool = true, env: [String: String],
                 log: String) throws(BuildError) {
        guard let site = WheelInstaller.sitePackages(of: venv) else {
            throw .io(path: venv, reason: "the new venv has no lib/pythonX.Y/site-packages")
        }
        let python = venv + "/bin/python"
        for picked in wheels {
            // Its bytes are those validated: the same SHA-256.
            let path: String
            if let known = picked.path {
                path = known
            } else {
                path = try file(of: picked.location, filename: picked.filename, sha256: picked.sha256).0
            }
            let staging = venv + "/.unpacking-" + ProjectName.normalize(picked.facts.name)
            defer { FileTree.remove(staging) }
            guard mkdir(staging, 0o700) == 0 else { throw .io(path: staging, reason: "cannot create the unpacking folder") }
            do { try SdistUnpacker(limits: .wheel).unpackAll(path, into: staging) } catch {
                throw .io(path: path, reason: "\(error)")
            }
            let data = String(picked.facts.distInfo.dropLast(".dist-info".count)) + ".data"
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
                    try WheelInstaller.merge(from, into: parent + "/" + picked.facts.name)
                default:
                    throw .io(path: path, reason: "unknown .data folder '\(item.name)'")
                }
            }
            let distInfo = site + "/" + picked.facts.distInfo
            try? FileWrite.scratch("wheelcache\n", to: distInfo + "/INSTALLER")
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
            do { try FileWrite.scratch(text, to: target) } catch { throw .cannotWrite(target, "the script", error) }
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
        do { try FileWrite.scratch(script, to: path) } catch { throw .cannotWrite(path, "the launcher", error) }
        chmod(path, 0o755 & ~ProcessUmask.value)
    }
}
