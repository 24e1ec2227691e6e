"""Makes attest-ironic discoverable without pip: writes a *.dist-info (METADATA, entry_points.txt) from
pyproject.toml into a folder that goes on PYTHONPATH next to contrib/ironic. For tests and trials; production
installs the package normally (pip install ./contrib/ironic).

Usage: /usr/bin/python3 tools/write_dist_info.py OUTPUT_DIR
"""
import os
import sys
import tomllib


def main(out: str) -> None:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, 'pyproject.toml'), 'rb') as f:
        project = tomllib.load(f)['project']
    folder = os.path.join(out, f"{project['name'].replace('-', '_')}-{project['version']}.dist-info")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, 'METADATA'), 'w', encoding='utf-8') as f:
        f.write(f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n")
    with open(os.path.join(folder, 'entry_points.txt'), 'w', encoding='utf-8') as f:
        for group, entries in project['entry-points'].items():
            f.write(f'[{group}]\n' + ''.join(f'{name} = {target}\n' for name, target in entries.items()) + '\n')
    print(folder)


if __name__ == '__main__':
    main(sys.argv[1])
