"""The README's configuration tables name every setting the code reads."""

import re

from config import PROJECT_ROOT
from mobile_api.settings import documented_settings


def _readme() -> str:
    return (PROJECT_ROOT / "README.md").read_text()


def test_every_package_setting_is_in_the_readme(app):
    readme = _readme()
    missing = [s.name for s in documented_settings() if f"`{s.name}`" not in readme]
    assert not missing, f"README.md does not document: {missing}"


def test_every_shell_setting_is_in_the_readme():
    source = (PROJECT_ROOT / "config" / "__init__.py").read_text()
    names = set(re.findall(r'(?:env\.get|_int|_bool)\((?:env, )?"([A-Z_]+)"', source))
    assert "DATABASE_URL" in names and "JWT_ACTIVE_KID" in names
    readme = _readme()
    missing = sorted(name for name in names if name not in readme)
    assert not missing, f"README.md does not document: {missing}"


def test_the_readme_table_is_what_flask_settings_prints(app):
    result = app.test_cli_runner().invoke(args=["settings"])
    assert result.exit_code == 0
    readme = _readme()
    table = readme[readme.index("| setting | default | production | meaning |"):].strip()
    assert result.output.strip() == table, "run `flask settings` and paste its table into README.md"
