#!/usr/bin/env python3
"""Deterministic generator of the qledger demo data (SPEC section 7). Stdlib only.

Writes config/demo/events.jsonl: every event that follows the ledger's first
event (the policy.adopted written by `qledger init --policy config/policy.json`),
in the order it would really have been recorded. Then it checks the file the way
the ledger would (ids, fields, references, approved quarters), scores every
department and quarter by the SPEC section 2 rules with the policy file (exact
integer hundredths, round half up) and prints the totals as a Markdown table.

    python3 config/demo/make_demo.py        # regenerate; output is byte-identical
"""
import datetime as dt
import json
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, '..', 'policy.json'), encoding='utf-8') as f:
    POLICY = json.load(f)
NAMES = {d['code']: d['name'] for d in POLICY['departments']}
DEPTS = [d['code'] for d in POLICY['departments']]
TODAY = dt.date(2026, 11, 27)
QUARTERS = ['2025Q4', '2026Q1', '2026Q2', '2026Q3']
rng = random.Random(20261127)


# ---------------------------------------------------------------- decimals
def h(s):
    """'96.50' -> 9650 (hundredths); rejects anything but [-]digits.dd."""
    if not re.fullmatch(r'-?\d{1,6}\.\d\d', s):
        raise ValueError('bad decimal %r' % s)
    sign = -1 if s.startswith('-') else 1
    a, b = s.lstrip('-').split('.')
    return sign * (int(a) * 100 + int(b))


def dec(n):
    """9650 -> '96.50', -100 -> '-1.00'."""
    return ('-' if n < 0 else '') + '%d.%02d' % divmod(abs(n), 100)


def rnd(num, den):
    """num/den rounded half up to an integer (num >= 0, den > 0)."""
    return (2 * num + den) // (2 * den)


def clamp(v, lo=0, hi=10000):
    return max(lo, min(hi, v))


# ---------------------------------------------------------------- periods
def q_of(y, m):
    return '%dQ%d' % (y, (m - 1) // 3 + 1)


def q_months(q):
    y, n = int(q[:4]), int(q[5])
    return [(y, 3 * n - 2 + i) for i in range(3)]


def next_month(y, m):
    return (y + 1, 1) if m == 12 else (y, m + 1)


def quarter_of_period(p):
    if re.fullmatch(r'\d{4}-\d\d', p):
        return q_of(int(p[:4]), int(p[5:]))
    return p if re.fullmatch(r'\d{4}Q[1-4]', p) else None


# ---------------------------------------------------------------- events
EVENTS = []


def ev(id, type, dept, period, date, actor, data):
    e = {'id': id, 'type': type}
    if dept:
        e['department'] = dept
    if period:
        e['period'] = period
    e.update(occurred_at=date.isoformat(), actor=actor, data=data)
    EVENTS.append(e)
    return e


def find(id):
    return next(e for e in EVENTS if e['id'] == id)


def half(x):
    """A self/spot score as internal checkers give it: to 0.5 points, 0..100."""
    return clamp(int(round(x * 2)) * 50)


RULING = '<ruling>'          # numbered per year once events are sorted
COMMITTEE = '质量管理委员会/秘书'
INSPECTORS = ['工作组/王敏', '工作组/陈刚', '工作组/赵丽']
SURVEY_CLERK = '工作组/李娜'
COMPLAINT_DESK = '人力资源部/投诉受理'
CLIENTS = {
    'marketing': ['武汉恒通商贸有限公司', '湖北鑫达建材有限公司', '荆州宏远化工有限公司',
                  '宜昌三峡机电设备有限公司', '襄阳汉江汽车零部件有限公司'],
    'logistics': ['湖北长江航运物资有限公司', '黄石新港电缆有限公司', '孝感华丰粮油有限公司',
                  '十堰鄂西汽配有限公司', '鄂州顺达钢材加工有限公司'],
    'wuhan': ['武汉光谷电子科技有限公司', '武汉江汉百货有限公司', '武汉青山钢结构有限公司',
              '武汉汉阳食品有限公司', '武汉东湖医药有限公司'],
    'orders': ['湖北楚天电商有限公司', '荆门石化配套有限公司', '随州专用车零部件有限公司',
               '咸宁温泉纺织有限公司', '仙桃无纺布制品有限公司'],
    'storage': ['武汉恒通商贸有限公司', '黄冈大别山茶业有限公司', '恩施硒都农产品有限公司',
                '天门棉纺有限公司', '湖北鑫达建材有限公司'],
    'bidding': ['湖北楚通建设工程有限公司', '武汉城投物资有限公司', '宜昌水电建设有限公司',
                '襄阳市政工程有限公司', '荆州港务有限公司'],
    'metrology': ['湖北中南燃气有限公司', '武汉长江水务设备有限公司', '荆州粮食储备库',
                  '黄石矿山机械有限公司', '湖北华中电力设备有限公司'],
}
# (self-check level, survey level, how far spot checks tend to disagree)
PROFILE = {
    'marketing': (95.0, 95.5, 1.0), 'logistics': (93.5, 92.5, 1.4), 'wuhan': (94.0, 93.5, 1.3),
    'orders': (95.0, 95.0, 0.9), 'storage': (95.0, 95.0, 0.5), 'bidding': (95.0, 94.0, 1.1),
    'metrology': (94.6, 94.6, 0.7),
}
SELF_ITEMS = ['台账管理', '单据凭证', '信息系统数据']
SURVEY_ITEMS = ['响应速度', '服务态度', '业务准确性', '问题解决']
SPOT_NOTES = ['台账与系统数据不一致{n}处', '单据凭证缺签字{n}份', '出入库记录漏登{n}笔', '系统数据更新滞后{n}天']
# Differences for spot checks (|spot - self|), by tier; boundaries 3.00 and 5.00 included.
D_BY_TIER = [[0], [50, 100, 150, 200, 250, 300], [350, 400, 450, 500], [550, 600, 650, 750]]
FORCED_D = {('2026Q1', 'storage'): 0, ('2026Q2', 'orders'): 300, ('2026Q3', 'marketing'): 500,
            ('2025Q4', 'logistics'): 650, ('2026Q2', 'bidding'): 0}


def gen_selfchecks(dept, y, m, level):
    date = min(dt.date(y, m, rng.randint(25, 28)), TODAY)
    if rng.random() < 0.4:
        items = [half(level + rng.gauss(0, 1.5)) for _ in SELF_ITEMS]
        score = rnd(sum(items), len(items))
        data = {'score': dec(score), 'items': [{'name': n, 'score': dec(s)} for n, s in zip(SELF_ITEMS, items)]}
    else:
        data = {'score': dec(clamp(half(level + rng.gauss(0, 1.2)), 8800, 9900))}
    return ev('%d-%02d-%s-selfcheck' % (y, m, dept), 'selfcheck.reported', dept, '%d-%02d' % (y, m),
              date, NAMES[dept] + '/质量管理员', data)


def gen_quarter(q, dept):
    lvl_self, lvl_survey, spread = PROFILE[dept]
    qeff = rng.gauss(0, 0.8)
    months = q_months(q)
    ny, nm = next_month(*months[2])
    for (y, m) in months:
        gen_selfchecks(dept, y, m, lvl_self + qeff)
    # spot checks: one or two months; the difference decides the deduction tier
    for k, (y, m) in enumerate(sorted(rng.sample(months, 2 if rng.random() < 0.45 else 1))):
        self_score = h(find('%d-%02d-%s-selfcheck' % (y, m, dept))['data']['score'])
        if k == 0 and (q, dept) in FORCED_D:
            d = FORCED_D[(q, dept)]
        else:
            w = [max(0.2, 1.6 - spread), 1.4, 0.35 * spread, 0.25 * spread]
            d = rng.choice(D_BY_TIER[rng.choices(range(4), w)[0]])
        spot = self_score - d if rng.random() < 0.8 or self_score - d < 0 else self_score + d
        if spot > 10000:
            spot = self_score - d
        date = dt.date(ny, nm, rng.randint(2, 6)) if (y, m) == months[2] else \
            dt.date(*next_month(y, m), rng.randint(5, 15))
        inspector = rng.choice(INSPECTORS)
        data = {'score': dec(spot), 'inspector': inspector}
        if d == 0:
            data['note'] = '抽查结果与自查一致'
        elif rng.random() < 0.7:
            data['note'] = rng.choice(SPOT_NOTES).format(n=rng.randint(1, 4))
        ev('%d-%02d-%s-spotcheck' % (y, m, dept), 'spotcheck.recorded', dept, '%d-%02d' % (y, m),
           date, inspector, data)
    # satisfaction survey of key clients, returned around the quarter's end
    n = rng.randint(3, 5)
    dates = sorted(dt.date(*months[2], 15) + dt.timedelta(days=rng.randint(0, 21)) for _ in range(n))
    for i, (client, date) in enumerate(zip(rng.sample(CLIENTS[dept], n), dates), 1):
        if rng.random() < 0.5:
            items = [min(100, max(85, int(round(lvl_survey + qeff + rng.gauss(0, 3))))) * 100 for _ in range(3)]
            names = rng.sample(SURVEY_ITEMS, 3)
            data = {'respondent': client, 'score': dec(rnd(sum(items), 3)),
                    'items': [{'name': a, 'score': dec(b)} for a, b in zip(names, items)]}
        else:
            data = {'respondent': client,
                    'score': dec(min(10000, max(8500, half(lvl_survey + qeff + rng.gauss(0, 3)))))}
        ev('%s-%s-survey-%02d' % (q, dept, i), 'survey.responded', dept, q, date, SURVEY_CLERK, data)


def complaint(q, dept, n, date, channel, summary, customer=None, category=None, resolve_days=5,
              resolution='已向客户致歉并整改', satisfied=True):
    cid = '%s-%s-complaint-%02d' % (q, dept, n)
    data = {'received_at': '%sT%02d:%02d:00+08:00' % (date.isoformat(), rng.randint(8, 16), rng.choice([0, 15, 30, 45])),
            'channel': channel, 'summary': summary}
    if customer:
        data['customer'] = customer
    if category:
        data['category'] = category
    ev(cid, 'complaint.recorded', dept, q, date, COMPLAINT_DESK, data)
    ack = date + dt.timedelta(days=rng.randint(0, 1))
    ev(cid + '-ack', 'complaint.handled', dept, q, ack, COMPLAINT_DESK,
       {'complaint': cid, 'stage': 'acknowledged', 'at': '%sT16:00:00+08:00' % ack.isoformat()})
    if resolve_days is not None:
        done = date + dt.timedelta(days=resolve_days)
        ev(cid + '-resolved', 'complaint.handled', dept, q, done, COMPLAINT_DESK,
           {'complaint': cid, 'stage': 'resolved', 'at': '%sT17:30:00+08:00' % done.isoformat(),
            'resolution': resolution, 'satisfied': satisfied})
    return cid


def override(id, **data):
    e = find(id)
    e['data'].pop('items', None)
    e['data'].update(data)
    return e


def nth_survey(q, dept, n=2):
    return '%s-%s-survey-%02d' % (q, dept, n)


def after(id, days):
    return dt.date.fromisoformat(find(id)['occurred_at']) + dt.timedelta(days=days)


def scripted():
    """The stories of the demo: complaints, findings, disputes, rulings, corrections."""
    D = dt.date
    # ---- 2025Q4, approved at the meeting of 2026-01-10
    complaint('2025Q4', 'logistics', 1, D(2025, 11, 12), '投诉电话', '货物到达延误两天,事前未通知客户',
              '孝感华丰粮油有限公司', '交付延误', 4, '补偿运费并调整发运计划')
    complaint('2025Q4', 'wuhan', 1, D(2025, 12, 3), '邮件', '送货人员态度生硬,拒绝卸货到指定库位',
              None, '服务态度', 6, '已对相关人员批评教育并上门致歉', satisfied=False)
    ev('2025Q4-logistics-direct-01', 'deduction.direct', 'logistics', '2025Q4', D(2025, 12, 18), '工作组/陈刚',
       {'points': '2.00', 'reason': '发运单据差错导致客户重复提货(主业直接扣分)'})
    ev('2025Q4-marketing-callback-01', 'callback.finding', 'marketing', '2025Q4', D(2025, 12, 20), '工作组/赵丽',
       {'points': '0.50', 'reason': '回访记录不全', 'work_order': 'HF-202512-0107'})
    sid = override(nth_survey('2025Q4', 'bidding'), score='86.00')['id']
    ev('2025Q4-bidding-dispute-01', 'survey.disputed', 'bidding', '2025Q4', max(after(sid, 1), D(2026, 1, 6)),
       '招标分公司/部门负责人', {'response': sid, 'reason': '客户对招标代理服务范围理解有误,评分偏低'})
    ev('2025Q4-bidding-ruling-01', 'survey.ruled', 'bidding', '2025Q4', D(2026, 1, 8), COMMITTEE,
       {'response': sid, 'outcome': 'upheld', 'ruling': RULING})
    ev('2025Q4-wuhan-adjust-01', 'score.adjusted', 'wuhan', '2025Q4', D(2026, 1, 8), COMMITTEE,
       {'component': 'total', 'points': '2.00', 'reason': '承担元旦前紧急保供任务,质委会决定加分', 'ruling': RULING})
    expense(D(2025, 12, 15), '2400.00', '2025年第四季度满意度调查问卷印制及邮寄')
    approve('2025Q4')
    # ---- 2026Q1, approved 2026-04-10
    cid = complaint('2026Q1', 'orders', 1, D(2026, 2, 9), '现场', '订单交期与合同约定不符',
                    '随州专用车零部件有限公司', '订单差错', 3, '向客户出示交期变更确认函')
    ev('2026Q1-orders-complaint-01-ruling', 'complaint.ruled', 'orders', '2026Q1', D(2026, 3, 20), COMMITTEE,
       {'complaint': cid, 'valid': False, 'reason': '经核实交期变更已经客户书面确认,不属有效投诉', 'ruling': RULING})
    complaint('2026Q1', 'logistics', 1, D(2026, 3, 5), '投诉电话', '运输途中包装破损,部分货物受潮',
              '黄石新港电缆有限公司', '货损', 7, '按合同赔偿并更换包装材料')
    ev('2026Q1-logistics-callback-01', 'callback.finding', 'logistics', '2026Q1', D(2026, 3, 25), '工作组/王敏',
       {'points': '1.00', 'reason': '回访记录与实际情况不符', 'work_order': 'HF-202603-0032',
        'callee': '孝感华丰粮油有限公司/张经理', 'caller': '物流业务部/刘芳'})
    ev('2026Q1-logistics-adjust-01', 'score.adjusted', 'logistics', '2026Q1', D(2026, 4, 8), COMMITTEE,
       {'component': 'selfcheck', 'points': '-1.00', 'reason': '3月自查报表逾期上报', 'ruling': RULING})
    for date, amount, purpose in [(D(2026, 1, 10), '800.00', '2025年第四季度服务质量分析会会务'),
                                  (D(2026, 3, 20), '1200.00', '2026年第一季度满意度调查问卷印制及邮寄')]:
        expense(date, amount, purpose)
    approve('2026Q1')
    # ---- 2026Q2, approved 2026-07-10, reopened 2026-08-18 for a survey dispute
    complaint('2026Q2', 'wuhan', 1, D(2026, 4, 22), '邮件', '配送车辆未按约定时间到达',
              '武汉江汉百货有限公司', '交付延误', 5, '调整配送排班,承诺准时送达')
    complaint('2026Q2', 'wuhan', 2, D(2026, 5, 28), '投诉电话', '发票信息错误,多次反映未更正',
              None, '单据差错', 9, '重新开具发票', satisfied=False)
    complaint('2026Q2', 'marketing', 1, D(2026, 5, 10), '现场', '报价单与实际结算价格不一致',
              '荆州宏远化工有限公司', '价格争议', 6, '按报价单价格结算并退还差额')
    ev('2026Q2-wuhan-direct-01', 'deduction.direct', 'wuhan', '2026Q2', D(2026, 6, 15), '工作组/陈刚',
       {'points': '3.00', 'reason': '未按合同时限完成配送,造成客户停工(主业直接扣分)'})
    ev('2026Q2-wuhan-callback-01', 'callback.finding', 'wuhan', '2026Q2', D(2026, 6, 20), '工作组/赵丽',
       {'points': '0.50', 'reason': '回访记录不全', 'work_order': 'HF-202606-0015', 'caller': '武汉业务部/周强'})
    for date, amount, purpose in [(D(2026, 4, 10), '800.00', '2026年第一季度服务质量分析会会务'),
                                  (D(2026, 5, 15), '1200.00', '服务质量管理培训讲师费'),
                                  (D(2026, 6, 20), '1200.00', '2026年第二季度满意度调查问卷印制及邮寄')]:
        expense(date, amount, purpose)
    ev('2026Q2-marketing-adjust-01', 'score.adjusted', 'marketing', '2026Q2', D(2026, 7, 8), COMMITTEE,
       {'component': 'complaint', 'points': '3.00', 'reason': '投诉处理及时,客户来函表扬,质委会决定酌情加分',
        'ruling': RULING})
    approve('2026Q2')
    expense(D(2026, 7, 10), '800.00', '2026年第二季度服务质量分析会会务')
    ev('2026Q2-reopened', 'quarter.reopened', None, '2026Q2', D(2026, 8, 18), COMMITTEE,
       {'reason': '招标分公司对2026Q2问卷结果提出异议,质委会同意重新审定', 'by': '质量管理委员会'})
    sid = override(nth_survey('2026Q2', 'bidding'), score='85.50')['id']
    ev('2026Q2-bidding-dispute-01', 'survey.disputed', 'bidding', '2026Q2', D(2026, 8, 19),
       '招标分公司/部门负责人', {'response': sid, 'reason': '客户来函说明问卷"响应速度"一项误填'})
    ev('2026Q2-bidding-ruling-01', 'survey.ruled', 'bidding', '2026Q2', D(2026, 8, 26), COMMITTEE,
       {'response': sid, 'outcome': 'rescored', 'score': '93.00', 'ruling': RULING})
    # ---- 2026Q3, still open: disputes pending at the meeting of 2026-10-10
    typo = find('2026-08-storage-selfcheck')
    right = typo['data']['score']
    wrong = right[1] + right[0] + right[2:] if right[0] != right[1] else dec(h(right) - 1000)
    corrected = json.loads(json.dumps(typo))
    typo['data']['score'] = wrong
    ev('2026-08-storage-selfcheck-void', 'entry.voided', None, None, after(typo['id'], 1), '工作组/李娜',
       {'target': typo['id'], 'reason': '录入错误:自查得分%s误录为%s' % (right, wrong)})
    corrected.update(id='2026-08-storage-selfcheck-corrected', occurred_at=after(typo['id'], 1).isoformat())
    EVENTS.append(corrected)
    cid = complaint('2026Q3', 'logistics', 1, D(2026, 8, 6), '投诉电话', '提货排队时间过长,现场无人引导',
                    '鄂州顺达钢材加工有限公司', '服务效率', 5, '增设提货引导岗并实行预约提货')
    ev('2026Q3-logistics-complaint-01-ruling', 'complaint.ruled', 'logistics', '2026Q3', D(2026, 10, 22), COMMITTEE,
       {'complaint': cid, 'valid': True, 'reason': '部门申辩称系客户未预约,经调查投诉属实,认定为有效投诉',
        'ruling': RULING})
    complaint('2026Q3', 'bidding', 1, D(2026, 9, 9), '邮件', '招标文件澄清通知未及时送达投标人',
              '襄阳市政工程有限公司', '信息通知', 4, '补发澄清通知并顺延投标截止时间')
    ev('2026Q3-logistics-callback-01', 'callback.finding', 'logistics', '2026Q3', D(2026, 8, 28), '工作组/王敏',
       {'points': '0.50', 'reason': '回访记录不全', 'work_order': 'HF-202608-0041'})
    ev('2026Q3-bidding-callback-01', 'callback.finding', 'bidding', '2026Q3', D(2026, 9, 22), '工作组/赵丽',
       {'points': '0.80', 'reason': '回访记录与实际情况不符', 'work_order': 'HF-202609-0007',
        'callee': '宜昌水电建设有限公司/陈工'})
    ev('2026Q3-orders-direct-01', 'deduction.direct', 'orders', '2026Q3', D(2026, 9, 16), '工作组/陈刚',
       {'points': '1.00', 'reason': '订单信息录入错误导致错发(主业直接扣分)'})
    sid = override(nth_survey('2026Q3', 'wuhan'), score='86.00', respondent='武汉汉正街小商品经营部')['id']
    ev('2026Q3-wuhan-dispute-01', 'survey.disputed', 'wuhan', '2026Q3', D(2026, 10, 9),
       '武汉业务部/部门负责人', {'response': sid, 'reason': '该问卷由非重点客户填写,不符合调查范围'})
    ev('2026Q3-wuhan-ruling-01', 'survey.ruled', 'wuhan', '2026Q3', D(2026, 10, 20), COMMITTEE,
       {'response': sid, 'outcome': 'voided', 'ruling': RULING})
    ev('2026Q3-storage-adjust-01', 'score.adjusted', 'storage', '2026Q3', D(2026, 10, 20), COMMITTEE,
       {'component': 'survey', 'points': '1.00', 'reason': '重点客户专函表扬(问卷得分已满分,加分受100分封顶)',
        'ruling': RULING})
    ev('2026Q3-metrology-adjust-01', 'score.adjusted', 'metrology', '2026Q3', D(2026, 10, 20), COMMITTEE,
       {'component': 'total', 'points': '1.00', 'reason': '获省公司服务质量通报表扬', 'ruling': RULING})
    for date, amount, purpose in [(D(2026, 9, 10), '600.00', '重点客户电话回访通讯费'),
                                  (D(2026, 9, 20), '1200.00', '2026年第三季度满意度调查问卷印制及邮寄'),
                                  (D(2026, 10, 10), '800.00', '2026年第三季度服务质量分析会会务')]:
        expense(date, amount, purpose)
    # ---- 2026Q4 so far: an open complaint, not yet resolved
    complaint('2026Q4', 'wuhan', 1, D(2026, 11, 20), '投诉电话', '提货通知短信未发送,客户车辆空跑',
              '武汉青山钢结构有限公司', '信息通知', None)


def approve(q):
    y, m = next_month(*q_months(q)[2])
    meeting = dt.date(y, m, 10)
    ev('%s-approved' % q, 'quarter.approved', None, q, meeting, COMMITTEE,
       {'approved_by': '质量管理委员会', 'meeting_date': meeting.isoformat()})


def expense(date, amount, purpose):
    n = sum(1 for e in EVENTS if e['type'] == 'budget.expense' and e['period'] == str(date.year)) + 1
    ev('%d-expense-%02d' % (date.year, n), 'budget.expense', None, str(date.year), date, '工作组/刘洋',
       {'amount': amount, 'purpose': purpose})


# ---------------------------------------------------------------- checks (as the ledger would)
MONTH, QUARTER, YEAR = r'\d{4}-(0[1-9]|1[0-2])', r'\d{4}Q[1-4]', r'\d{4}'
TYPES = {  # type: (has department, period pattern, required data fields, optional data fields)
    'selfcheck.reported': (True, MONTH, {'score'}, {'items'}),
    'spotcheck.recorded': (True, MONTH, {'score', 'inspector'}, {'note'}),
    'survey.responded': (True, QUARTER, {'respondent', 'score'}, {'items'}),
    'survey.disputed': (True, QUARTER, {'response', 'reason'}, set()),
    'survey.ruled': (True, QUARTER, {'response', 'outcome', 'ruling'}, {'score'}),
    'complaint.recorded': (True, QUARTER, {'received_at', 'channel', 'summary'}, {'customer', 'category'}),
    'complaint.ruled': (True, QUARTER, {'complaint', 'valid', 'reason', 'ruling'}, set()),
    'complaint.handled': (True, QUARTER, {'complaint', 'stage', 'at'}, {'resolution', 'satisfied'}),
    'deduction.direct': (True, QUARTER, {'points', 'reason'}, set()),
    'callback.finding': (True, QUARTER, {'points', 'reason'}, {'work_order', 'callee', 'caller'}),
    'score.adjusted': (True, QUARTER, {'component', 'points', 'reason', 'ruling'}, set()),
    'entry.voided': (False, None, {'target', 'reason'}, set()),
    'quarter.approved': (False, QUARTER, {'approved_by', 'meeting_date'}, set()),
    'quarter.reopened': (False, QUARTER, {'reason', 'by'}, set()),
    'budget.expense': (False, YEAR, {'amount', 'purpose'}, set()),
}
REFS = {'survey.disputed': ('response', 'survey.responded'), 'survey.ruled': ('response', 'survey.responded'),
        'complaint.ruled': ('complaint', 'complaint.recorded'),
        'complaint.handled': ('complaint', 'complaint.recorded')}
DATETIME = r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)'


def check(events):
    """Raise AssertionError naming the line on anything the ledger would reject."""
    by_id, voided, status, slots, last = {}, set(), {}, {}, ''
    for line, e in enumerate(events, 1):
        where = 'line %d (%s)' % (line, e.get('id'))
        try:
            t, d = e['type'], e['data']
            has_dept, pattern, req, opt = TYPES[t]
            assert list(e) == [k for k in ('id', 'type', 'department', 'period', 'occurred_at', 'actor', 'data')
                               if k in e], 'field order / unknown field'
            assert e['id'] not in by_id, 'duplicate id'
            assert ('department' in e) == has_dept and (not has_dept or e['department'] in NAMES), 'department'
            assert ('period' in e) == bool(pattern) and (not pattern or re.fullmatch(pattern, e['period'])), 'period'
            assert e['occurred_at'] >= last and dt.date.fromisoformat(e['occurred_at']) <= TODAY, 'date order'
            last = e['occurred_at']
            assert e['actor'], 'actor'
            assert req <= set(d) <= req | opt, 'data fields %s' % sorted(d)
            for k in ('score', 'points', 'amount'):
                if k in d:
                    v = h(d[k])
                    assert k != 'score' or 0 <= v <= 10000, 'score range'
            for it in d.get('items', []):
                assert set(it) == {'name', 'score'} and 0 <= h(it['score']) <= 10000, 'items'
            if t == 'callback.finding':
                assert h(POLICY['callback_points']['min']) <= h(d['points']) <= h(POLICY['callback_points']['max'])
            if t == 'survey.ruled':
                assert d['outcome'] in ('upheld', 'voided', 'rescored') and ('score' in d) == (d['outcome'] == 'rescored')
            if t == 'complaint.handled':
                assert d['stage'] in ('acknowledged', 'resolved') and re.fullmatch(DATETIME, d['at'])
            if t == 'complaint.recorded':
                assert re.fullmatch(DATETIME, d['received_at'])
            if t == 'score.adjusted':
                assert d['component'] in ('selfcheck', 'survey', 'complaint', 'total')
            if t in REFS:
                target = by_id.get(d[REFS[t][0]])
                assert target and target['type'] == REFS[t][1] and d[REFS[t][0]] not in voided, 'reference'
                assert (target['department'], target['period']) == (e['department'], e['period']), 'ref period'
            q = quarter_of_period(e.get('period', ''))
            if t == 'entry.voided':
                target = by_id.get(d['target'])
                assert target and d['target'] not in voided, 'void target'
                q = quarter_of_period(target.get('period', ''))
                voided.add(d['target'])
            if t == 'quarter.approved':
                assert status.get(q) != 'approved', 'approved twice'
                status[q] = 'approved'
            elif t == 'quarter.reopened':
                assert status.get(q) == 'approved', 'reopen of a quarter that is not approved'
                status[q] = 'reopened'
            elif q:
                assert status.get(q) != 'approved', 'fact for approved quarter %s' % q
            if t in ('selfcheck.reported', 'spotcheck.recorded'):
                key = (t, e['department'], e['period'])
                assert slots.get(key) is None or slots[key] in voided, 'second %s' % t
                slots[key] = e['id']
            by_id[e['id']] = e
        except (AssertionError, KeyError, ValueError) as x:
            raise AssertionError('%s: %s' % (where, x or 'check failed'))
    return status


# ---------------------------------------------------------------- scoring (SPEC section 2)
def score(events, q, dept):
    voided = {e['data']['target'] for e in events if e['type'] == 'entry.voided'}
    mine = [e for e in events if e['id'] not in voided and e.get('department') == dept
            and quarter_of_period(e.get('period', '')) == q]
    of = lambda t: [e for e in mine if e['type'] == t]
    adj = {c: 0 for c in ('selfcheck', 'survey', 'complaint', 'total')}
    for e in of('score.adjusted'):
        adj[e['data']['component']] += h(e['data']['points'])
    # self-check
    selfs = {e['period']: h(e['data']['score']) for e in of('selfcheck.reported')}
    tiers = [(None if t['max_difference'] is None else h(t['max_difference']), h(t['deduction']))
             for t in POLICY['spotcheck_tiers']]
    deductions = 0
    for e in of('spotcheck.recorded'):
        if e['period'] not in selfs:
            deductions += max(t[1] for t in tiers)
            continue
        d = abs(h(e['data']['score']) - selfs[e['period']])
        if d:
            deductions += next(ded for top, ded in tiers if top is None or d <= top)
    average = rnd(sum(selfs.values()), len(selfs)) if selfs else None
    sc = clamp(average - deductions + adj['selfcheck']) if selfs else 0
    # survey
    rulings = {e['data']['response']: e['data'] for e in of('survey.ruled')}  # the latest ruling wins
    counted = []
    for e in of('survey.responded'):
        r = rulings.get(e['id'], {'outcome': 'upheld'})
        if r['outcome'] != 'voided':
            s = h(r['score'] if r['outcome'] == 'rescored' else e['data']['score'])
            counted.append(10000 if s >= h(POLICY['survey_full_marks_from']) else s)
    sv = clamp(rnd(sum(counted), len(counted)) + adj['survey']) if counted else None
    # complaint
    invalid = {e['data']['complaint']: not e['data']['valid'] for e in of('complaint.ruled')}
    valid = sum(1 for e in of('complaint.recorded') if not invalid.get(e['id'], False))
    direct = sum(h(e['data']['points']) for e in of('deduction.direct'))
    cp = clamp(10000 - h(POLICY['complaint_deduction']) * valid - direct + adj['complaint'])
    # weighted, callbacks, total, grade, money (fen)
    w = POLICY['weights']
    parts = [(w['selfcheck'], sc), (w['complaint'], cp)] + ([(w['survey'], sv)] if sv is not None else [])
    weighted = rnd(sum(a * b for a, b in parts), sum(a for a, _ in parts))
    callbacks = sum(h(e['data']['points']) for e in of('callback.finding'))
    total = clamp(weighted - callbacks + adj['total'])
    g = POLICY['grades']
    if total > h(g['qualified']):
        grade, amount = 'excellent', (total - h(g['qualified'])) * h(g['reward_per_point']) // 100
    elif total == h(g['qualified']):
        grade, amount = 'qualified', 0
    else:
        grade, amount = 'unqualified', -(h(g['qualified']) - max(total, h(g['penalty_floor']))) * h(g['penalty_per_point']) // 100
    return dict(selfcheck=sc, average=average, deductions=deductions, survey=sv, responses=len(counted),
                complaint=cp, valid=valid, direct=direct, weighted=weighted, callbacks=callbacks,
                adj_total=adj['total'], total=total, grade=grade, amount=amount)


# ---------------------------------------------------------------- tuning and output
GRADE_ZH = {'excellent': '优秀', 'qualified': '合格', 'unqualified': '不合格'}
EXACT_95 = ('2026Q1', 'orders')     # one department lands exactly on the qualified line


def tune_exact_95():
    """Move one unspotted self-check of EXACT_95 by the least amount that makes its total 95.00."""
    q, dept = EXACT_95
    spotted = {e['period'] for e in EVENTS if e['type'] == 'spotcheck.recorded' and e['department'] == dept}
    target = next(e for e in EVENTS if e['type'] == 'selfcheck.reported' and e['department'] == dept
                  and quarter_of_period(e['period']) == q and e['period'] not in spotted)
    target['data'].pop('items', None)
    base = h(target['data']['score'])
    for step in sorted(range(-600, 601), key=abs):
        if 0 <= base + step <= 10000:
            target['data']['score'] = dec(base + step)
            if score(EVENTS, q, dept)['total'] == h(POLICY['grades']['qualified']):
                return
    raise SystemExit('cannot tune %s %s to 95.00' % EXACT_95)


def money(fen):
    return ('+' if fen > 0 else '') + dec(fen)


def tables(events):
    out = ['| quarter | department | selfcheck | survey | complaint | weighted | callbacks | total adj. '
           '| **total** | grade | amount (yuan) |', '|' + '---|' * 11]
    matrix = ['| department | ' + ' | '.join(QUARTERS + ['2026Q4 (so far)']) + ' |', '|---|' + '---|' * 5]
    for q in QUARTERS + ['2026Q4']:
        for dept in DEPTS:
            r = score(events, q, dept)
            out.append('| %s | %s %s | %s | %s | %s | %s | %s | %s | **%s** | %s %s | %s |' % (
                q, dept, NAMES[dept], dec(r['selfcheck']), '–' if r['survey'] is None else dec(r['survey']),
                dec(r['complaint']), dec(r['weighted']), dec(r['callbacks']), dec(r['adj_total']),
                dec(r['total']), r['grade'], GRADE_ZH[r['grade']], money(r['amount'])))
    for dept in DEPTS:
        cells = []
        for q in QUARTERS + ['2026Q4']:
            r = score(events, q, dept)
            cells.append('%s %s %s' % (dec(r['total']), GRADE_ZH[r['grade']], money(r['amount'])))
        matrix.append('| %s %s | %s |' % (dept, NAMES[dept], ' | '.join(cells)))
    # 2026Q2 as published at its approval versus now (after reopening and the rescore)
    cut = next(i for i, e in enumerate(events) if e['id'] == '2026Q2-approved') + 1
    pub = ['| department | published at approval (seq %d) | now |' % (cut + 1), '|---|---|---|']
    for dept in DEPTS:
        a, b = score(events[:cut], '2026Q2', dept), score(events, '2026Q2', dept)
        if a != b:
            pub.append('| %s | %s %s | %s %s |' % (dept, dec(a['total']), money(a['amount']),
                                                   dec(b['total']), money(b['amount'])))
    quota = ['| year | rewards | penalties | expenses | rewards + expenses | quota |', '|---|---|---|---|---|---|']
    for y in ('2025', '2026'):
        rs = [score(events, q, d)['amount'] for q in QUARTERS if q.startswith(y) for d in DEPTS]
        ex = sum(h(e['data']['amount']) for e in events if e['type'] == 'budget.expense' and e['period'] == y)
        reward = sum(a for a in rs if a > 0)
        quota.append('| %s | %s | %s | %s | %s | %s |' % (y, dec(reward), dec(-sum(a for a in rs if a < 0)),
                                                         dec(ex), dec(reward + ex), POLICY['annual_quota']))
    return '\n'.join(matrix), '\n'.join(out), '\n'.join(pub), '\n'.join(quota)


def main():
    for q in QUARTERS:
        for dept in DEPTS:
            gen_quarter(q, dept)
    for y, m in [(2026, 10), (2026, 11)]:
        for dept in DEPTS:
            gen_selfchecks(dept, y, m, PROFILE[dept][0])
    scripted()
    EVENTS.sort(key=lambda e: e['occurred_at'])  # stable: same-day events keep their causal order
    numbers = {}
    for e in EVENTS:
        if e['data'].get('ruling') == RULING:
            y = e['occurred_at'][:4]
            numbers[y] = numbers.get(y, 0) + 1
            e['data']['ruling'] = '质委会决定〔%s〕%d号' % (y, numbers[y])
    tune_exact_95()
    status = check(EVENTS)
    assert status == {'2025Q4': 'approved', '2026Q1': 'approved', '2026Q2': 'reopened'}, status
    with open(os.path.join(HERE, 'events.jsonl'), 'w', encoding='utf-8', newline='\n') as f:
        for e in EVENTS:
            f.write(json.dumps(e, ensure_ascii=False) + '\n')
    print('wrote %d events to config/demo/events.jsonl (seq 2..%d after the policy)\n' % (len(EVENTS), len(EVENTS) + 1))
    for t in tables(EVENTS):
        print(t + '\n')


if __name__ == '__main__':
    main()
