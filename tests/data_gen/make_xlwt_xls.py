#!/usr/bin/python3
"""Writes a small roster as a real BIFF8 .xls with python3-xlwt (a Debian
package), so that test_table.c checks our .xls reader against a file from
an independent writer, not only against sheets.h's generator. The test
runs it at test time:

    /usr/bin/python3 tests/data_gen/make_xlwt_xls.py OUT.xls
"""
import datetime
import io
import sys

import xlwt

wb = xlwt.Workbook(encoding="utf-8")
ws = wb.add_sheet("名单")
ws.write(0, 0, "2024届毕业生图像采集名单")
for i, h in enumerate(["姓名", "身份证号", "性别", "出生日期", "层次", "学号"]):
    ws.write(2, i, h)
date = xlwt.easyxf(num_format_str="YYYY-MM-DD")
ws.write(3, 0, "张三")
ws.write(3, 1, "11010519491231002X")
ws.write(3, 2, "女")
ws.write(3, 3, datetime.date(1949, 12, 31), date)
ws.write(3, 4, "本科")
ws.write(3, 5, 2024001)
ws.write(4, 0, "李四")
ws.write(4, 1, 360426199101010071.0)  # an ID typed into a number cell
ws.write(4, 2, "男")
ws.write(4, 4, "硕士研究生")
ws.write(4, 5, 2024002)
ws.write(5, 0, "王五")
ws.write(5, 1, 340524800101001)  # a 15-digit ID as a number: exact
ws.write(5, 4, "本科")
ws.write(5, 5, 2.5)
wb.add_sheet("其他").write(0, 0, "not the first sheet")
buf = io.BytesIO()
wb.save(buf)
data = buf.getvalue()

with open(sys.argv[1], "wb") as f:
    f.write(data)
