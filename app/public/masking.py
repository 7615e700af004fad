"""Masking a person's name for the public marker check: the surname stays, the rest is `*`.

`张三` → `张*`, `王小明` → `王**`, `欧阳娜娜` → `欧阳**`. A two-character compound surname
stays whole only when a given name follows it; a one-character name is hidden entirely.
"""

from __future__ import annotations

# The compound surnames (复姓) still in common use.
COMPOUND_SURNAMES = frozenset(
    (  # noqa: SIM905
        "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 令狐 长孙 宇文 司徒 夏侯 轩辕 "
        "端木 独孤 南宫 西门 百里 呼延 澹台 公冶 太史 申屠 钟离 闻人 赫连 万俟 濮阳 "
        "东郭 闾丘 拓跋 司空 左丘 第五 梁丘 鲜于 淳于 单于 仲孙 亓官 谷梁 羊舌 微生"
    ).split()
)


def mask_name(name: str) -> str:
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    kept = 2 if len(name) > 2 and name[:2] in COMPOUND_SURNAMES else 1
    return name[:kept] + "*" * (len(name) - kept)
