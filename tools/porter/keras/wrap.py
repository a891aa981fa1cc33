"""Generated code on lines of at most 92 characters (the porter's own line length)."""
__all__ = ["wrap_call"]


def wrap_call(prefix, code, suffix, indent=4, width=92):
    """``prefix + code + suffix`` on lines of at most ``width``, breaking ``code``'s
    outermost call between its arguments."""
    one_line = " " * indent + prefix + code + suffix
    if len(one_line) <= width:
        return one_line
    head, body = code.split("(", 1)
    body = body[:-1]
    args, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == "," and depth == 0:
            args.append(body[start:i].strip())
            start = i + 1
    args.append(body[start:].strip())
    pad = " " * (indent + 4)
    lines, current = [" " * indent + prefix + head + "("], pad
    for i, arg in enumerate(args):
        trail = "," if i < len(args) - 1 else ")" + suffix
        piece = arg + trail
        if len(pad) + len(piece) > width and "(" in arg:  # a long nested call: wrap it too
            if current.strip():
                lines.append(current.rstrip())
            lines.append(wrap_call("", arg, trail, indent + 4, width))
            current = pad
            continue
        if current.strip() and len(current) + 1 + len(piece) > width:
            lines.append(current.rstrip())
            current = pad
        current += ("" if not current.strip() else " ") + piece
    if current.strip():
        lines.append(current)
    return "\n".join(lines)
