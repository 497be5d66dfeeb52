# embed.cmake -DIN=FILE -DOUT=FILE.c: writes FILE's bytes as the C array
# loam_prelude_text (unsigned char, NUL-terminated) and its length loam_prelude_len.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" hex_len)
math(EXPR len "${hex_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE ${OUT} "/* Generated from ${IN} by lang/embed.cmake; do not edit. */\n"
  "const unsigned char loam_prelude_text[] = {\n${bytes}0x00};\n"
  "const unsigned loam_prelude_len = ${len};\n")
