"""Writes monthly_cases.csv: annuity amounts and monthly profits as CPython's decimal
module computes them in its default context (28 significant digits, half to even),
rounded to whole rials half up -- the computation behind shared/oracle/schedules.json.
Most profit cases are exact ties (balance * bp / 120000 = k + 1/2), where a 28-digit rate
decides the rounding. Run: python3 monthly_cases.py > monthly_cases.csv"""
import random
from decimal import Decimal, ROUND_HALF_UP, getcontext

assert getcontext().prec == 28


def rials(x):
    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_UP))


random.seed(6)
print("kind,rate_bp,months_or_balance,base,expected")
for _ in range(150):
    bp = random.choice([random.randint(1, 10000), 2650, 1850, 425, 1, 10000])
    r = Decimal(bp) / 100 / 1200
    months = random.randint(1, 360)
    base = random.choice([random.randint(1, 10**15), random.randint(1, 10**6)])
    growth = (1 + r) ** months
    print(f"annuity,{bp},{months},{base},{rials(Decimal(base) * r * growth / (growth - 1))}")
for i in range(350):
    bp = random.choice([random.randint(1, 10000), 2650, 1850, 2350, 3333])
    r = Decimal(bp) / 100 / 1200
    balance = random.randint(0, 10**15)
    if i % 5:
        for step in range(120000):
            if (balance + step) * bp % 120000 == 60000:
                balance += step
                break
    print(f"profit,{bp},{balance},,{rials(Decimal(balance) * r)}")
