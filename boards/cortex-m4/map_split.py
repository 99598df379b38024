#!/usr/bin/env python3
"""Flash and static RAM of a cortex-m4 image, split by origin, from its
GNU ld map (-Wl,-Map=...).

usage: map_split.py image.map

Every input section placed in an allocated output section is summed by
the file it came from: libtvc (libtvc.a, libtvc's mbedTLS glue glue/*.o
and its lwIP port port/lwip/*.o), mbedTLS (libmbed*.a), lwIP (liblwip.a),
the C library (libc.a, libm.a, libnosys.a), libgcc, the board
(boards/...: start-up, drivers, platform hooks, the printf of
boards/cortex-m4/tiny_stdio.c) and the rest (the program and its tests).
Flash is .text, .rodata, the exception tables and the .data image; RAM is
.data and .bss.  Fill and alignment padding the linker adds between
sections is not counted.  boards/size.py imports split() for
`make size BOARD=cortex-m4`.
"""
import re
import sys

FLASH_SECTIONS = ('.text', '.ARM.extab', '.ARM.exidx', '.init_array', '.data')
RAM_SECTIONS = ('.data', '.bss')
ORDER = ['libtvc', 'mbedTLS', 'lwIP', 'libc', 'libgcc', 'board', 'program']


def origin(path):
    base = path.split('/')[-1]
    if 'libtvc.a' in path or '/glue/' in path or '/port/' in path or path.startswith('port/'):
        return 'libtvc'
    if 'libmbed' in path:
        return 'mbedTLS'
    if 'liblwip' in path:
        return 'lwIP'
    if re.search(r'lib(c|m|nosys|g)(_nano)?\.a', base):
        return 'libc'
    if 'libgcc' in base:
        return 'libgcc'
    if '/boards/' in path or path.startswith('boards/'):
        return 'board'
    return 'program'


def split(mapfile):
    """({origin: flash bytes}, {origin: RAM bytes}) of the image whose map
    is mapfile; origins as in ORDER."""
    lines = open(mapfile).read().splitlines()
    try:
        start = lines.index('Linker script and memory map')
    except ValueError:
        raise ValueError('no memory map in ' + mapfile)
    flash = dict((k, 0) for k in ORDER)
    ram = dict((k, 0) for k in ORDER)
    out = None
    pending = None  # an input section name on its own line
    entry = re.compile(r'^ (\S+)?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$')
    for line in lines[start:]:
        m = re.match(r'^(\.[\w.]+)', line)
        if m:
            out = m.group(1)
            continue
        if out is None:
            continue
        m = entry.match(line)
        if not m:
            pending = line.strip() if re.match(r'^ \S+$', line) else None
            continue
        name = m.group(1) or pending
        pending = None
        if name is None or name.startswith('*') or name == '*fill*':
            continue
        size = int(m.group(3), 16)
        src = m.group(4).strip()
        if size == 0 or src.startswith('load address'):
            continue
        who = origin(src)
        if out in FLASH_SECTIONS:
            flash[who] += size
        if out in RAM_SECTIONS:
            ram[who] += size
    return flash, ram


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    try:
        flash, ram = split(sys.argv[1])
    except ValueError as e:
        sys.exit('map_split: %s' % e)
    print('%-10s %9s %9s' % ('', 'flash', 'RAM'))
    for k in ORDER:
        if flash[k] or ram[k]:
            print('%-10s %9d %9d' % (k, flash[k], ram[k]))
    print('%-10s %9d %9d' % ('total', sum(flash.values()), sum(ram.values())))


if __name__ == '__main__':
    main()
