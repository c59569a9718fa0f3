"""Build hook: compiles webapp/domain/_hashrank.c, the draw's SHA-256 ranking loops (issue 4's matching figure),
and webapp/domain/_matchrank.c, a department's inspector matching in one call (issue 13's).

The extension links OpenSSL's libcrypto (Debian: libssl-dev, gcc and the Python headers). Where it cannot be
built the package still installs and the draw runs its pure-Python path with identical results, only slower;
the build says so loudly, and the test suite fails on a missing extension, so CI never measures the slow path
by accident.
"""
import sys
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCE = "webapp/domain/_hashrank.c"
EXTENSIONS = {"webapp.domain._hashrank": SOURCE, "webapp.domain._matchrank": "webapp/domain/_matchrank.c"}


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version, build_data):
        if self.target_name != "wheel":
            return
        try:
            built = compile_in_place(Path(self.root))
        except Exception as e:  # a compiler, header or library missing: install the pure-Python path
            print(f"WARNING: {', '.join(EXTENSIONS.values())} were not compiled ({e}); the draw will use its slower "
                  "pure-Python path.", file=sys.stderr)
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        build_data["artifacts"] += [str(path.relative_to(self.root)) for path in built]


def compile_in_place(root: Path) -> list[Path]:
    """Build the extensions next to their sources (so an editable install finds them) and return their paths."""
    from setuptools import Distribution, Extension

    extensions = [Extension(name, [source], libraries=["crypto"], extra_compile_args=["-O2", "-Wall"])
                  for name, source in EXTENSIONS.items()]
    dist = Distribution({"name": "spotcheck-hashrank", "ext_modules": extensions, "script_name": "hatch_build.py"})
    dist.src_root = str(root)
    command = dist.get_command_obj("build_ext")
    command.inplace = True
    with tempfile.TemporaryDirectory() as temp:
        command.build_temp = temp
        command.ensure_finalized()
        command.run()
    return [root / command.get_ext_filename(name) for name in EXTENSIONS]
