"""Turn a ticket into the facts the clocks need: which regime, which dates (evals/clocks/
SPEC.md is the contract).

The regime comes from evidence in the text, never from a guessed issue type:
- Regulation Z for any billing error on the Lumen Credit card (unauthorized, not
  delivered, not as agreed, wrong amount, duplicate, a return or payment not credited);
- Regulation E for an error in an electronic transfer from the customer's own account
  (unauthorized, wrong amount, duplicate, an ATM that gave less, money debited for a
  declined or failed payment, a deposit the sender confirms but that never arrived, a
  transfer Lumen sent to the wrong account); not for a purchase the customer made and
  is unhappy with (that is the card network's chargeback), not for a scam payment the
  customer sent themselves;
- the remittance rules for a Lumen international transfer the customer sent;
- the CFPB's timelines once the customer says a complaint has been filed with it.
"Initiated abroad" means the card was used at an ATM or merchant outside the US; money
sent to someone abroad is not. When a fact is unclear the reading with the earlier
deadline is taken, and the clock's note says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable

from assistant.clocks.dates import DateMention, find_dates, promised_ahead
from assistant.fastregex import guard_module
from assistant.textnorm import mask_decimal_points

_F = re.IGNORECASE

# --- what went wrong ----------------------------------------------------------------
_DUPLICATE = re.compile(
    r"\b(?:charged|billed|debited|taken|took\s+it|processed)\s+(?:me\s+)?(?:twice|two\s+times|"
    r"double|2\s*x|2\s+times)\b|\bdouble[- ](?:charged|billed|debited|charge)\b|\bduplicate\s+"
    r"(?:charges?|transactions?|payments?|debits?|withdrawals?)\b|\b(?:same|identical)\s+"
    r"(?:charge|payment|amount|transaction|debit)s?\s+(?:\w+\s+){0,3}?(?:twice|two\s+times|again)\b"
    r"|\btwo\s+(?:identical|matching)\s+(?:charges|payments|transactions|debits)\b"
    r"|\b(?:charged|billed|debited)\s+(?:me|my\s+(?:\w+\s+){0,3}?(?:card|account|wallet))\s+"
    r"(?:twice|two\s+times|three\s+times)\b|\b(?:came|went)\s+out\s+of\s+my\s+(?:\w+\s+)?"
    r"(?:account|wallet)\s+twice\b|\btwice,?\s+both\s+on\b|\bboth\s+on\s+the\s+same\s+day\b"
    r"|\b(?:charged|billed|debited|taken|went\s+out|came\s+out|posted|processed|pulled|"
    r"deducted)\s+(?:me\s+)?(?:twice|three\s+times|two\s+times|[23]\s*x|multiple\s+times|"
    r"more\s+than\s+once)\b"
    r"|\b(?:charged?|charges?|withdrawal|payment|debit|transaction|money|it)\b[^.!?]{0,40}\b(?:two|2)\s+times?\b"
    r"|\b(?:charged|billed|debited|ran|took)\b[^.!?]{0,60}\btwice\b"
    r"|\b(?:ran|charged|billed|debited|processed|swiped)\s+(?:\w+\s+){0,2}?(?:again|a\s+second\s+time)\s+for\s+"
    r"\$?[\d,.]+"
    r"|\b(?:shows?|showing|showed|appears?|appearing|appeared|posted|listed)\b[^.!?]{0,40}\b(?:twice|two\s+times|"
    r"2\s+times)\b", _F)
_WRONG_AMOUNT = re.compile(
    r"\bwrong\s+amount\b|\bshows?\s+(?:the|my)\s+(?:\w+\s+)?(?:transfer|payment|deposit|charge)\s+as\s+(?:only\s+)?\$|"
    r"\b(?:exactly|about|roughly)\s+\$\s?[\d,.]+\s+less\b|\bI\s+(?:only\s+)?authori[sz]ed\s+\$\s?[\d,.]+|"
    r"\btyped\s+(?:an?\s+)?(?:extra|wrong)\s+(?:zero|digit|number)\b|\bit\s+should\s+(?:be|have\s+been)\s+(?:around\s+|about\s+)?\$|\bover-?charg(?:ed?|es|ing)\b|\b(?:paid|charged)\s+(?:me\s+)?(?:almost|nearly|more\s+than)?\s*double\b|\$\s?[\d,.]+\s+not\s+\$?\d|\bmore\s+than\s+double\b|\binstead\s+of\s+(?:the\s+)?\$\s?\d|\binstead\s+of\s+(?:the\s+)?\d[\d,]*\b(?![-\d])|\bmore\s+than\s+"
    r"(?:I\s+)?(?:agreed|authori[sz]ed|approved|the\s+(?:price|receipt|bill|quote))\b|\b(?:receipt|"
    r"price|bill|quote|total)\s+(?:says|said|was|shows|showed)\s+(?:only\s+)?\$?\d[^.!?]{0,60}"
    r"\b(?:charged|billed|took|debited)\b|\bcharged\s+(?:me\s+)?\$?[\d,.]+\s+(?:not|but)\b"
    # two different amounts: what it was, and what was charged (either order)
    r"|\b(?:I|we)\s+(?:only\s+)?paid\s+\$\s?[\d,.]+\s+for\b|\bonly\s+\$\s?[\d,.]+\s+"
    r"(?:arrived|came\s+through|showed\s+up|was\s+(?:credited|deposited|added|applied))\b|\b(?:receipt|"
    r"confirmation)(?:\s+screen)?\s+(?:says|said|showed|shows)\s+\$\s?[\d,.]+"
    r"|\$\s?[\d,.]+\b[^.!?]{0,60}\b(?:but|yet|and)\b[^.!?]{0,50}\b(?:charged|billed|debited|"
    r"took|came\s+out|taken)\b[^.!?]{0,25}\$\s?[\d,.]+|\b(?:charge[sd]?|charged|billed)\b[^.!?]{0,40}"
    r"\$\s?[\d,.]+[^.!?]{0,40}\b(?:but|when|while|whereas)\b[^.!?]{0,40}\b(?:receipt|contract|"
    r"price|bill|quote|total|confirmation|terminal|invoice)\b[^.!?]{0,25}\$\s?[\d,.]+"
    r"|\bcharged\b[^.!?]{0,80}\$\s?[\d,.]+[^.!?]{0,60}\bfor\s+(?:a|an|the|my|our)\s+(?:\w+\s+){0,2}?"
    r"(?:that|which)\s+(?:only\s+)?(?:cost|costs|was|came\s+to|totall?ed)\s+\$\s?[\d,.]+"
    r"|\$\s?[\d,.]+[^.!?]{0,40}\b(?:but|yet)\s+\$\s?[\d,.]+\s+(?:was|were|got)\s+(?:taken|debited|"
    r"deducted|charged|withdrawn)\b"
    # "The receipt printed DEPOSIT $1,000.00 but my balance only went up by $100"
    r"|\b(?:receipt|screen|slip)\s+(?:printed|says|said|shows|showed)\b[^.!?]{0,40}\$\s?[\d,.]+[^.!?]{0,20}\b(?:but|yet)\b"
    r"[^.!?]{0,30}\bbalance\s+only\s+(?:went\s+up|increased|rose|grew)\b"
    # "came in on Friday as $1,342.16 but my pay stub says the deposit was $1,842.16"
    r"|\b(?:came\s+in|arrived|posted|credited|showed\s+up|deposited|landed)\b[^.!?]{0,40}\bas\s+(?:only\s+)?\$\s?[\d,.]+"
    r"[^.!?]{0,30}\bbut\b[^.!?]{0,60}\b(?:says|said|shows|showed|was)\b", _F)
_COMPUTATION_ERROR = re.compile(
    r"\b(?:calculation|computation|computing|math|maths|arithmetic)\s+(?:mistake|error)s?\b|\b(?:computed|"
    r"calculated|added)\s+(?:it\s+|up\s+|something\s+|this\s+|that\s+)?(?:wrong|wrongly|incorrectly)\b|"
    r"\b(?:check|fix|redo)\s+your\s+math\b|\bshould\s+be\s+\$[\d,.]+\s+(?:but|and)\b[^.!?]{0,30}\b(?:says|shows|is)\b|\b(?:interest|finance\s+charges?)\b"
    r"[^.!?]{0,60}\b(?:even\s+though|although|despite)\b[^.!?]{0,40}\bpaid\s+(?:\w+\s+){0,3}?(?:in\s+)?"
    r"(?:full|whole|entire)\b|\b(?:interest|fee|finance\s+charge|balance)\s+(?:calculation|computation)\s+"
    r"(?:is|was|seems|looks)\s+(?:\w+\s+)?(?:wrong|off|incorrect)\b"
    r"|\binterest\b[^.!?]{0,120}\bshould\s+be\s+(?:about\s+|around\s+|roughly\s+)?\$|\bapplied\s+the\s+(?:rate|interest|apr)\s+to\b", _F)
_ATM_SHORT = re.compile(
    r"\b(?:ATM|cash\s+machine)\b[^.!?]{0,140}\b(?:only|less|short|did\s*n[o']?t\s+(?:give|dispense|"
    r"get)|never\s+(?:gave|dispensed)|no\s+(?:cash|money)|jammed|kept\s+the\s+(?:cash|money)|"
    r"gave\s+me\s+nothing|nothing\s+came\s+out)\b|\b(?:dispensed|gave\s+(?:me\s+)?(?:only\s+)?)"
    r"\$?[\d,.]+\s+(?:but|and|yet)\s+(?:\w+\s+){0,3}?(?:debited|charged|took|deducted)\b"
    r"|\bATM\b[^!?]{0,160}(?:^|[.!?]\s+)no\s+(?:cash|money)\b"
    r"|\b(?:machine|ATM)\b[^.!?]{0,60}\bonly\s+(?:gave|dispensed|spat|spit|paid)\s+(?:me\s+)?(?:out\s+)?\$?\d"
    r"|\b(?:machine|it|ATM)\b[^.!?]{0,40}\b(?:gave\s+(?:me\s+)?nothing|gives?\s+(?:me\s+)?no\s+(?:cash|money)|gave\s+(?:me\s+)?no\s+(?:cash|money)|unable\s+to\s+dispense|nothing\s+came\s+out|did\s*n[o']?t\s+"
    r"(?:give|dispense)|no\s+(?:cash|money)\s+came\s+out)\b", _F)
_DECLINED_DEBITED = re.compile(
    r"\b(?:declined|failed|did\s*n[o']?t\s+go\s+through|was\s+rejected|bounced|errored|could\s+not\s+be\s+"
    r"completed|unable\s+to\s+(?:complete|process)|"
    r"got\s+an?\s+error|did\s*n[o']?t\s+work|was\s+cancell?ed\s+by\s+the)\b[^.!?]{0,100}\b"
    r"(?:still|but|yet|anyway|nevertheless)\b[^.!?]{0,50}\b(?:took|take|taken|debited|deducted|"
    r"charged|left|gone|came\s+out|withdrawn|removed|out\s+of\s+my)\b"
    r"|\b(?:failed|declined|bounced|rejected|returned\s+by)\b[^!?]{0,140}\b(?:never|not|has\s*n[o']?t|"
    r"did\s*n[o']?t)\s+(?:been\s+)?(?:came|come|comes|returned|refunded|credited)\s+back\b"
    r"|\b(?:failed|declined|did\s*n[o']?t\s+go\s+through)\b[^!?]{0,200}\b(?:but|yet|and|still|then)\s+(?:my\s+)?"
    r"(?:balance\s+(?:went|has\s+gone|is)\s+down|(?:the\s+)?(?:money|\$[\d,.]+)\s+(?:is|was|has\s+been)\s+"
    r"(?:gone|taken|deducted|debited))\b", _F)
_MISSING_DEPOSIT = re.compile(
    r"\b(?:deposit|direct\s+deposit|paycheck|pay\s*check|salary|wages|payroll|transfer|refund|"
    r"payment)\b[^.!?]{0,60}\b(?:never|not|has\s*n[o']?t|did\s*n[o']?t|still\s+(?:not|has\s*n[o']?t))"
    r"\s+(?:\w+\s+)?(?:arrived|showed\s+up|credited|posted|appeared|come\s+through|hit|landed)\b"
    r"|\b(?:deposit|deposited|paycheck|salary|refund|transfer)\b[^!?]{0,120}\b(?:does|do|did)\s*(?:n[o']?t|\s+not)\s+"
    r"show\s+(?:it|them|up)\b"
    r"|\b(?:it's|it\s+is|it\s+was|it\s+has)\s+(?:still\s+)?(?:not|never\s+been)\s+(?:in|on|credited\s+to)\s+my\b"
    r"|\bnothing\s+(?:shows|showed|is\s+showing)\s+(?:up\s+)?(?:in|on)\s+my\b|\bbalance\s+(?:never|did\s*n[o']?t|"
    r"has\s*n[o']?t|hasn't)\s+(?:went|go|gone)\s+up\b|\b(?:was|were|has\s+been)\s+never\s+credited\b"
    r"|\bthere\s+is\s+nothing,?\s+not\s+even\s+pending\b|\b(?:on|in)\s+mine\s+there\s+is\s+nothing\b"
    r"|\bit\s+(?:has\s*n[o']?t|has\s+not|hasn't|still\s+has\s*n[o']?t|never)\s+(?:\w+\s+)?(?:arrived|come\s+through|been\s+credited|shown\s+up|posted)\b"
    r"|\b(?:lumen|the\s+app|my\s+account|my\s+balance)\s+shows\s+nothing\b|\bit's\s+not\s+there\b", _F)
_SENDER_CONFIRMS = re.compile(
    r"\b(?:employer|sender|payroll|HR|company|bank|they|he|she|department|agency|IRS|state|"
    r"government|treasury|client|SSA|unit|support|uber|social\s+security)\b[^.!?]{0,60}\b(?:sent|processed|deposited|"
    r"confirmed|confirms|shows?\s+(?:it\s+)?(?:as\s+)?(?:sent|completed|paid|delivered)|completed|paid\s+it|"
    r"has\s+a\s+(?:confirmation|trace))\b"
    r"|\b(?:confirmation|trace\s+number|reference\s+number|payment\s+confirmation)\b|\bshows?\s+(?:it\s+)?"
    r"(?:as\s+)?(?:completed|sent|paid)\b|\bshowing\s+(?:it|that\s+it)\s+went\s+out\b", _F)
_MISROUTED = re.compile(
    r"\b(?:went|sent|landed|ended\s+up|credited|deposited|delivered|routed|transferred)\s+(?:\w+\s+){0,2}?(?:to|in|"
    r"into)\s+(?:the\s+|a\s+|some(?:one|body)\s+)?(?:wrong|different|another|other|someone\s+"
    r"else's|somebody\s+else's)\s+(?:account|person|recipient|user)?"
    r"|\b(?:your|lumen's|the\s+app's)\s+(?:system|app|bill\s+pay)\s+(?:sent|paid|credited|routed|"
    r"delivered)\s+(?:it|the\s+(?:money|payment))\s+to\b"
    r"|\b(?:that|this|it)\s+(?:is\s*n[o']?t|is\s+not|isn't)\s+my\s+account\b"
    r"|\bwent\s+to\s+an?\s+account\s+(?:ending|with)\b[^.!?]{0,40}\b(?:different|another)\b"
    r"|\bpaid\s+into\s+an?\s+(?:different|other|wrong)?\s*account\s+with\b"
    r"|\b(?:app|you|lumen)\s+paid\s+someone\s+(?:called|named|else)\b|\b(?:says|shows)\s+it\s+was\s+paid\s+to\b", _F)
_CORRECT_DETAILS = re.compile(
    r"\bdouble[- ]checked\b|\bthe\s+correct\s+(?:account|details|number|recipient)\b|\b(?:entered|typed|put\s+in|gave|used|double[- ]checked|checked|selected|chose)\b[^.!?]{0,50}"
    r"\b(?:right|correct|exact|proper)\b|\b(?:details|number|handle|info(?:rmation)?)\s+(?:was|were|"
    r"is|are)\s+(?:right|correct)\b|\b(?:entered|typed)\s+it\s+correctly\b|\b(?:this\s+is\s+a|it's\s+a|a)\s+lumen\s+"
    r"(?:error|mistake)\b|\blumen\s+sent\s+my\s+money\s+to\s+the\s+wrong\b|\bscreen\s+(?:in\s+the\s+app\s+)?still\s+shows\b"
    r"|\b(?:it's|it\s+is)\s+your\s+(?:mistake|error)\b|\bby\s+mistake\b|\bdid\s*n[o']?t\s+type\s+anything\s+wrong\b"
    r"|\bwhich\s+matches\s+(?:his|her|their|the)\b", _F)
_NOT_DELIVERED = re.compile(
    r"\b(?:never|not|has\s*n[o']?t|have\s*n[o']?t|did\s*n[o']?t|still\s+(?:not|has\s*n[o']?t))\s+"
    r"(?:been\s+|yet\s+)?(?:arrived?|delivered|received|came|come|showed\s+up|shipped|got\s+(?:it|"
    r"them|anything)|get\s+(?:it|them|anything)|turned\s+up)\b|\bnever\s+(?:got|received|"
    r"arrived|came|showed|turned\s+up)\b|\bnothing\s+(?:has\s+)?(?:come|came|arrived|shown\s+up)\b"
    r"|\bnon[- ]delivery\b|\bno[- ]show\b|\b(?:nobody|no\s+one|no-one)\s+(?:ever\s+)?(?:came|showed\s+up|turned\s+up)\b|"
    r"\bnothing\s+(?:was\s+)?at\s+(?:my|the|our)\s+door\b|\b(?:shut|closed)\s+down\b|\bwent\s+out\s+of\s+business\b|\bnever\s+(?:start(?:ed)?|began|begin|happen(?:ed)?|"
    r"took\s+place)\b|\b(?:event|concert|"
    r"show|flight|trip|tour|game|class|course|festival|match|performance|gig|cruise|retreat|camp|session|"
    r"booking|reservation|stay)\b"
    r"[^.!?]{0,50}\b(?:was\s+|got\s+|has\s+been\s+)?(?:cancell?ed|postponed|called\s+off|"
    r"never\s+happened)\b|\bcancell?ed\s+(?:the\s+)?(?:event|concert|show|flight|trip|tour|"
    r"festival|game|performance)\b"
    r"|\bcancell?ed\s+(?:the|my|our)\s+(?:\w+\s+)?(?:flight|event|concert|show|trip|tour|class|course)\b"
    r"|\btracking\s+(?:has\s*n[o']?t|hasn't|has\s+not|hasnt|did\s*n[o']?t|never)\s+(?:moved|updated|changed)\b"
    r"|\bback-?ordered\b|\bnot\s+one\s+(?:has|have)\s+(?:shown\s+up|arrived|come)\b|\bnever\s+(?:flew|attended|stayed\s+there)\b"
    r"|\b(?:was|were|is)\s+supposed\s+to\s+(?:arrive|be\s+delivered|ship)\b"
    r"|\b(?:did\s*n[o']?t|does\s*n[o']?t|never)\s+(?:even\s+)?exist(?:ed)?\b"
    r"|\bcancell?ed\s+on\s+(?:us|me)\b|\b(?:sold|gave)\s+(?:it|the\s+\w+)\s+to\s+someone\s+else\b"
    r"|\brefus\w*\s+to\s+(?:return|refund)\s+(?:my|the)\s+(?:deposit|money|payment)\b"
    r"|\bwas\s+never\s+(?:opened|done|replaced|repaired|fixed|installed|rebuilt|performed)\b|\bkept\s+the\s+money\b", _F)
_NOT_AS_AGREED = re.compile(
    r"\bnot\s+(?:what\s+(?:I|we)\s+(?:ordered|paid\s+for|booked)|(?:\w+\s+)?as\s+(?:described|"
    r"advertised|agreed|ordered|pictured|promised))\b|\b(?:work|job)\s+that\s+was\s*n[o']?t\s+"
    r"(?:done|finished)\b|\bhalf\s+of\s+the\b[^.!?]{0,40}\b(?:disappeared|vanished|left)\b|\b(?:arrived\s+)?(?:damaged|broken|defective|faulty|counterfeit|smashed|"
    r"cracked|unusable)\b|\bwrong\s+(?:item|size|colou?r|product|order|model)\b|\bnothing\s+"
    r"like\s+(?:the|what)\b|\b(?:fake|knock-?off)\s+(?:item|product|bag|watch|shoes|goods)\b"
    r"|\bnot\s+what\s+(?:they|he|she|it|I|we)\s+(?:sold|sell|promised|advertised|ordered|described)\b"
    r"|\bdiff?e?rent\s+(?:model|item|product|colou?r|size|brand)\b|\bcrack(?:ed|d)\s+screen\b"
    r"|\b(?:is|was|were|are)\s+(?:uneven|torn|stained|plastic|used|missing\s+parts)\b"
    r"|\b(?:is|was|it's|are|were)\s+(?:\w+\s+)?(?:fake|counterfeit|a\s+(?:fake|knock-?off))\b|\bfalling\s+apart\b"
    r"|\bsupposed\s+to\s+(?:use|be|include|have|get|come\s+with)\b[^.!?]{0,80}\b(?:we\s+agreed|agreed\s+(?:on|to)|in\s+(?:the\s+)?"
    r"(?:contract|writing)|we\s+ordered|advertised)\b"
    r"|\brefus(?:e|ed|es|ing)\s+to\s+(?:fix|repair|replace|redo|move\s+us|adjust|honou?r|correct)\b|\brefus\w*\s+(?:the|my)\s+return\b"
    r"|\b(?:confirmation|contract|listing|advert|description|booking)\s+(?:clearly\s+)?(?:says|said|shows|showed|stated|states)\b"
    r"|\barrived\s+(?:\w+\s+)?(?:used|damaged|broken|opened|scratched|dented|empty)\b"
    r"|\b(?:was|were|is)\s+advertised\s+(?:as|with)\b[\s\S]{0,120}?\b(?:there\s+(?:is|are|was|were)\s+no|only)\b", _F)
_RETURN_NOT_CREDITED = re.compile(
    r"\b(?:returned|sent\s+(?:it|them|the\s+\w+)\s+back|return(?:ed)?\s+(?:it|them|the\s+\w+)|"
    r"refund(?:ed)?|credit|cancell?ed)\b[^.!?]{0,90}\b(?:never|not|no|still\s+(?:no|not|nothing)|"
    r"has\s*n[o']?t|have\s*n[o']?t|did\s*n[o']?t)\s+(?:\w+\s+)?(?:credited|posted|received|showed|"
    r"appeared|come|arrived|refund(?:ed)?|credit|seen|processed|issued|got)\b|\b(?:promised|"
    r"approved|confirmed)\s+(?:me\s+)?(?:a\s+)?(?:full\s+)?(?:refund|credit)\b"
    r"|\breturned\b[^.!?]{0,160}\b(?:still\s+nothing|nothing\s+(?:on|in)\s+my|still\s+(?:does\s*n[o']?t|"
    r"has\s*n[o']?t|not)\s+(?:\w+\s+)?(?:show|shown|appear|come))"
    r"|\bstill\s+(?:does\s*n[o']?t|has\s*n[o']?t)\s+(?:show|shown)\s+the\s+\$?[\d,.]*\s*(?:credit|refund)"
    r"\b[^.!?]{0,40}\breturned\b", _F)
_RETURNED = re.compile(
    r"\breturned\s+(?:it|them|the\s+\w+|an?\s+(?!call\b|message\b|e-?mail\b)[\w$,.]+)|\b(?:sent|mailed|shipped|posted|brought|took)\s+"
    r"(?:it|them|the\s+\w+)\s+back\b", _F)
_STILL_NOT_CREDITED = re.compile(
    r"\bstill\s+nothing\b|\bnothing\s+(?:on|in)\s+my\s+(?:\w+\s+){0,2}?(?:card|account|statement)\b|"
    r"\bstill\s+no\s+(?:credit|refund)\b|\bno\s+(?:credit|refund)\s+(?:on|in|to)\s+my\b|\b(?:and|but)\s+no\s+(?:credit|refund)\b|"
    r"\b(?:it's|it\s+is)\s+still\s+not\s+(?:on|in)\s+my\b|\bget\s+(?:my|the|this)\s+(?:refund|credit)\s+credited\b|\bthere'?s\s+"
    r"(?:still\s+)?nothing\b|\b(?:has\s*n[o']?t|has\s+not|have\s*n[o']?t|never)\s+(?:been\s+)?(?:credited|"
    r"refunded|posted|appeared|shown\s+up|come\s+through)\b", _F)
_PAYMENT_NOT_CREDITED = re.compile(
    r"\b(?:my\s+)?(?:card\s+)?payment\b[^.!?]{0,40}\b(?:not|never|was\s*n[o']?t|has\s*n[o']?t)\s+"
    r"(?:\w+\s+)?(?:credited|posted|applied|recorded|showing|showed|shown)\b"
    r"|\bpaid\s+\$?[\d,.]*\s*(?:toward|towards|to|on)\s+(?:my\s+)?(?:\w+\s+){0,3}?(?:balance|card|bill)\b"
    r"[^!?]{0,120}\b(?:not|never|is\s*n[o']?t|has\s*n[o']?t)\s+(?:\w+\s+)?(?:showing|shown|posted|applied|"
    r"credited|there)\b"
    r"|\bpaid\b[^.!?]{0,40}\b(?:toward|towards|to|on)\s+(?:my\s+)?(?:\w+\s+){0,3}?(?:balance|card|bill)\b[^!?]{0,160}"
    r"\b(?:still\s+shows\s+(?:my|the)\s+(?:full|whole|entire|old)|shows?\s+(?:as\s+)?only)\b"
    r"|\bpayment\b[^.!?]{0,60}\bshows?\s+(?:up\s+)?(?:as\s+)?only\b|\bshows?\s+no\s+payment\b"
    r"|\b(?:does\s*n[o']?t|did\s*n[o']?t|doesn't|didn't)\s+show\s+(?:my|the)\s+(?:\$\s?[\d,.]+\s+)?payment\b"
    r"|\bpayment\b[^.!?]{0,60}\b(?:was\s+)?(?:credited|posted|applied)\s+(?:as|for)\s+(?:only\s+)?\$"
    r"|\b(?:did\s*n[o']?t|didn't|never|did\s+not)\s+(?:credit|apply|post|record)\s+(?:my|the)\s+(?:\$\s?[\d,.]+\s+)?payment\b", _F)
_SUBSCRIPTION = re.compile(
    r"\bcancell?ed\b[\s\S]{0,200}?\b(?:still|again|kept|keeps|continue[sd]?)\s+(?:\w+\s+)?(?:charg|"
    r"bill|tak|debit|took)"
    r"|\bcancel(?:l?ed)?\b[\s\S]{0,200}?\b(?:charge[sd]?|billed|took|debited)\b[^.!?\n]{0,60}\bagain\b"
    r"|\bcancell?ed\b[\s\S]{0,120}?\bsince\s+then\s+they\s+have\s+(?:charged|billed|taken)\b", _F)
_UNAUTHORIZED_MORE = re.compile(
    r"\b(?:took|take|takes|taken|used|use)\s+(?:my\s+)?card\b[^.!?]{0,30}?\bwithout\s+(?:asking|"
    r"permission|my\s+permission)\b"
    r"|\bwithout\s+(?:my|our)\s+(?:permission|consent|knowledge|authori[sz]ation)\b"
    r"|\b(?:I|we)\s+(?:\w+ly\s+)?(?:did\s*n[o']?t|did\s+not|never|have\s+never)\s+(?:\w+\s+)?(?:book|booked|"
    r"place|placed|order|ordered|buy|bought|purchase|purchased|authori[sz]e|authori[sz]ed|make|"
    r"made)\b(?!\s+(?:it|them|the\s+\w+)\s+(?:arrive|come|show))"
    r"|\b(?:it\s+)?(?:was\s*n[o']?t|was\s+not|wasn't)\s+me\b"
    r"|\b(?:I|we)\s+(?:did\s*n[o']?t|did\s+not|didnt|never|not)\s+(?:\w+\s+)?(?:do|did|make|made)\s+"
    r"(?:this|that|it|them|these|those)\b(?!\s+(?:arrive|come|show|work))"
    r"|\b(?:that's|that\s+is|it's|it\s+is|they're|they\s+are)\s+not\s+(?:mine|me|ours)\b"
    r"|\b(?:I|we)(?:\s+have|\s+had|'ve|\u2019ve)?\s+never\s+(?:heard\s+of|signed\s+up|set\s+(?:\w+\s+){0,2}?up|"
    r"spoke(?:n)?\s+to|used\s+(?:that|this|the)|been\s+to|given\s+(?:them|him|her))\b"
    r"|\bnever\s+gave\s+(?:them|him|her)\s+my\s+(?:card|account)"
    r"|\b(?:I|we)\s+(?:have\s*n[o']?t|haven't)\s+(?:even\s+)?(?:set\s+up|made|authori[sz]ed)\b"
    r"|\bwho\s+(?:i|we)\s+(?:do\s*n[o']?t|dont|do\s+not)\s+kno"
    r"|\b(?:some(?:one|body)|someon|a\s+stranger|my\s+(?:son|daughter|nephew|roommate|ex))\s+"
    r"(?:has\s+)?(?:took|take|taken|used|stole|withdrew|spent|pulled|moved|sent)\b(?=[^.!?]{0,60}(?:\b(?:without|"
    r"out\s+of\s+my|from\s+my|my\s+card|dollars)|\$))"
    r"|\bsome(?:one|body)\s+(?:else\s+)?has\s+(?:my\s+|the\s+)?(?:card\s+)?(?:number|details)\b"
    r"|\b(?:I|we)\s+(?:made|did|authori[sz]ed|sent)\s+neither\b"
    r"|\b(?:the|a)\s+(?:thief|thieves|person\s+who\s+stole)\b[^.!?]{0,40}\b(?:us(?:e|ed|es|ing)|spent|charged|bought|withdrew|took|made)\b"
    r"|\b(?:I|we)\s+(?:\w+ly\s+)?(?:never|did\s*n[o']?t|did\s+not)\s+(?:send|sent)\s+(?:that|this|it|them|any)\b"
    r"|\bnever\s+(?:gave|given)\s+(?:him|her|them|anyone|my\s+\w+\s+and\s+\w+\s+number|my\s+"
    r"(?:account|card|details))\b|\bno\s+idea\s+who\s+(?:they|this|it)\s+(?:are|is)\b"
    r"|\b(?:I've|I\s+have|I)\s+never\s+(?:shopped|been|ordered|bought)\s+(?:anything\s+|something\s+)?(?:there|from\s+them)\b"
    r"|\bthat\s+(?:I|we)\s+never\s+(?:did|made|authori[sz]ed|sent|approved)\b"
    r"|\bwhere\s+(?:I|we)\s+(?:have\s+)?never\s+(?:stayed|been|shopped|eaten|visited|gone)\b"
    # a lost or stolen card or wallet, then a payment with it
    r"|\b(?:lost|stolen|stole|missing)\b[^.!?]{0,40}\b(?:card|wallet|purse|bag|phone)\b[^!?]{0,80}\b(?:(?:my|the)\s+"
    r"(?:\w+\s+){0,2}?card|it)\s+(?:\w+\s+){0,3}?(?:was|were|got|been)\s+used\s+(?:at|for|to|in|on)\b"
    r"|\b(?:did\s*n[o']?t|did\s+not|never)\s+(?:give|gave|given)\s+(?:him|her|them|anyone|anybody)\s+"
    r"(?:my\s+)?permission\b"
    r"|\b(?:I|we)\s+(?:\w+ly\s+)?(?:have\s+|had\s+)?(?:did\s*n[o']?t|did\s+not|never)\s+(?:take|took|taken|withdraw|"
    r"withdrew|request|requested)\s+(?:out\s+)?(?:that|this|the|a|an|any)?\s*(?:\$?[\d,.]+\s+)?(?:cash|advance|cash\s+advance|"
    r"money|withdrawal|loan)\b", _F)
# The customer has no relation to the payee ("not mine, never heard of them", "I don't
# have a policy with them", "I don't know anyone in the Philippines"): an unauthorized
# transfer only where money went out (_MONEY_OUT), not in a question about a payee.
_NO_RELATION = re.compile(
    r"\b(?:charges?|transactions?|payments?|debits?|transfers?|withdrawals?|purchases?|it|this|these|"
    r"they|that)\s+(?:is|are|was|were|'s)\s+not\s+mine\b|\bnot\s+mine,|\bnever\s+heard\s+of\s+(?:them|it|"
    r"this|that|the|him|her)\b"
    r"|\b(?:I|we)\s+(?:do\s*n[o']?t|don't|do\s+not)\s+(?:even\s+)?(?:have|hold)\s+(?:an?\s+|any\s+)?"
    r"(?:policy|account|subscription|membership|contract|loan|plan)\s+with\b"
    r"|\b(?:I|we)\s+(?:do\s*n[o']?t|don't|do\s+not)\s+know\s+(?:anyone|anybody|any\s+one)\s+(?:in|at|there)\b"
    r"|\b(?:I|we)\s+(?:do\s*n[o']?t|dont|don't|do\s+not)\s+know\s+(?:any|this|that|these|who|the)\b"
    r"|\b(?:I|we)\s+(?:do\s*n[o']?t|don't|do\s+not|did\s*n[o']?t|didn't|did\s+not)\s+recogni[sz]e\b"
    r"|(?:^|[.!?]\s*)not\s+me\b|\bneither\s+(?:one\s+)?(?:was|were|is)\s+(?:me|mine)\b|\bnone\s+(?:of\s+(?:them|"
    r"these|those)\s+)?(?:was|were|are|is)\s+(?:me|mine)\b", _F)
_MONEY_OUT = re.compile(
    r"\b(?:debit(?:ed)?|charged?|charges|took|taken|came\s+out|went\s+out|withdr\w+|pulled|billed|used\s+at|"
    r"sent|transfers?|transferred|payments?|purchases?)\b", _F)

# Statements that deny the error or are about the card itself, blanked before the
# error patterns run: "there are no charges I don't recognize", "my new card hasn't
# arrived" (a card in the post is not goods not delivered).
_DENIED_ERROR = re.compile(
    r"\bno\s+(?:\w+\s+){0,2}?(?:charges?|transactions?|payments?|debits?|withdrawals?|transfers?)\s+"
    r"(?:that\s+)?(?:I|we)\s+(?:do\s*n[o']?t|don't|do\s+not|did\s*n[o']?t|didn't)\s+"
    r"(?:recogni[sz]e|make|authori[sz]e)\b"
    r"|\b(?:card|statement|PIN|replacement|pin\s+mailer|card\s+reader)\s+(?:still\s+)?(?:has\s*n[o']?t|has\s+not|"
    r"hasn't|never|did\s*n[o']?t|didn't|did\s+not|is\s*n[o']?t|has\s+still\s+not)\s+(?:yet\s+)?"
    r"(?:arrived?|come|came|been\s+(?:delivered|received)|shown\s+up|turned\s+up)\b"
    r"|\b(?:ordered|requested|applied\s+for)\s+(?:my|a|the|new|the\s+new)\s+(?:\w+\s+){0,3}?card\b[^.!?]{0,50}"
    r"\b(?:has\s*n[o']?t|hasn't|never|not|still)\b[^.!?]*"
    r"|\bif\s+(?:I|we)\s+(?:ever\s+)?(?:see|find|notice|get|spot|have|had)\b[^.!?,]{0,80}"
    r"|\bif\s+(?:some(?:one|body)|a\s+thief|anyone)\s+(?:ever\s+)?(?:stole|steals|used|uses|took|takes|got|gets|hacked|hacks)\b[^.!?]{0,120}"
    r"|\b(?:I'm|I\s+am)\s+not\s+saying\s+(?:that\s+)?some(?:one|body)\b[^.!?,]{0,60}"
    r"|\b(?:card|replacement)\s+(?:was|is)\s+supposed\s+to\s+(?:arrive|come)\b[^.!?]*"
    r"|\bnot\s+(?:my|the|on\s+my)\s+(?:lumen\s+)?credit(?:\s+card)?\b", _F)
# The customer disputes a purchase in so many words ("Dispute on my Lumen credit card",
# "I want the charge disputed"), not a question about how disputes work.
_DISPUTES_PURCHASE = re.compile(
    r"(?:^|[.!?]\s+)dispute\s+on\s+my\b|\bwant\s+(?:the|this|that)\s+charge\s+disputed\b", _F)
# The customer takes the question back ("never mind, it's the cafe"): no error is asserted.
_WITHDRAWN = re.compile(
    r"(?:^|[.!?:;,]\s*)never\s*mind\b|\bplease\s+ignore\s+my\b|\bfigured\s+it\s+out\b|\bmystery\s+solved\b"
    r"|\byou\s+can\s+close\s+(?:my|this|the)\s+(?:question|ticket|case|request)\b|\bno\s+need\s+to\s+dispute\b"
    r"|\bfalse\s+alarm\b|\bjust\s+asking\b|\bnothing\s+has\s+happened\b", _F)
# Asking whether to keep waiting ("is something wrong or do I just wait?"): not yet an error.
_STILL_WAITING = re.compile(
    r"\b(?:do|should)\s+I\s+(?:just\s+)?(?:wait|keep\s+waiting)\b|\bis\s+(?:that|this|it)\s+normal\b", _F)

# --- scams --------------------------------------------------------------------------
_GAVE_CREDENTIALS = re.compile(
    r"\b(?:gave|shared|told|read\s+(?:out|them)|sent|forwarded|entered|typed|put\s+in|provided|"
    r"confirmed)\b[^.!?]{0,50}\b(?:one[- ]time\s+(?:code|passcode|password|pin)|otp|verification\s+"
    r"code|security\s+code|code|passcode|password|PIN|login|log-?in\s+details|card\s+(?:details|"
    r"number)|remote\s+access)\b|\b(?:installed|downloaded)\b[^.!?]{0,30}\b(?:app|software|"
    r"anydesk|teamviewer|remote)\b", _F)
_THEY_MOVED = re.compile(
    r"\b(?:they|he|she|the\s+(?:scammer|fraudster|caller|man|woman)|someone|somebody)\s+(?:then\s+|"
    r"had\s+|have\s+|has\s+)?(?:moved|took|transferred|sent|withdrew|emptied|drained|spent|made|"
    r"used|logged\s+in|accessed|charged)\b", _F)
_CUSTOMER_SENT = re.compile(
    r"\b(?:I|we)\s+(?:then\s+|also\s+|even\s+|actually\s+|stupidly\s+)?(?:sent|transferred|paid|"
    r"wired|moved|bought|invested|deposited|zelled|initiated)\b"
    # the present tense as some customers write the past: "I send 150 dolar to my mother"
    r"|\b(?:I|we)\s+(?:send|transfer|wire)\s+(?:\$|\d|money|the\s+money)"
    r"|(?:^|[.!?]\s+|,\s+)(?:sent|transferred|wired|paid)\s+(?:\$|£|€|\d)"
    r"|(?:^|[.!?]\s+)(?:my\s+)?(?:international\s+)?transfer\s+to\b"
    r"|\b(?:the\s+)?(?:transfer|money)\s+(?:I|we)\s+(?:sent|made|did)\b|\$\s?[\d,.]+\s+(?:I|we)\s+(?:sent|"
    r"transferred)\b|(?:^|[.!?]\s+)(?:sent|transferred|wired)\s+money\b|\b(?:I|we)\s+used\s+(?:\w+\s+){0,2}?to\s+"
    r"(?:send|transfer|pay)\b", _F)

# --- the account and the transaction ------------------------------------------------
_CREDIT = re.compile(
    r"\b(?:lumen\s+)?credit\s+card\b|\blumen\s+credit\b|\bcredit\s+(?:card\s+)?(?:account|"
    r"statement|bill|line|limit)\b", _F)
_CARD = re.compile(r"\b(?:card|debit|visa|mastercard|contactless|tap(?:ped)?|swiped?|chip)\b", _F)
_ATM = re.compile(r"\bATMs?\b|\bcash\s+(?:machine|withdrawal)\b|\bwithdr[ae]w\w*\s+(?:\$|cash)", _F)
_PURCHASE = re.compile(
    r"\b(?:bought|buy(?:ing)?|purchase[sd]?|order(?:ed|s)?|shop(?:ping|s)?|stores?|merchants?|"
    r"online|websites?|site|checkout|subscriptions?|paid\s+for|booked|booking|tickets?|"
    r"restaurant|gas\s+station|hotel|charges?\s+(?:from|at|by)|charged\s+(?:by|at)|"
    r"purchas\w*|retailer|seller|vendor|app\s+store|streaming|delivery|charged\s+(?:me\s+)?"
    r"(?:\$[\d,.]+\s+)?for|paid\s+(?:\w+\s+){0,4}?(?:[$€£][\d,.]+\s+)?(?:with|on|using)\s+(?:my\s+)?"
    r"(?:\w+\s+){0,2}?card)\b|\bpaid\b[^.!?]{0,60}?\b(?:with|on|using)\s+(?:my\s+)?(?:\w+\s+){0,2}?(?:card|debit)\b"
    r"|\bused\s+(?:it|(?:my|the)\s+(?:\w+\s+){0,3}?card)\s+at\b|\bsigned\s+(?:me|us)\s+up\s+for\b|\bcharged\s+my\s+"
    r"(?:\w+\s+)?card\b|\b(?:charge|payment)s?\s+every\b"
    r"|\b(?:payment|charge)s?\s+(?:of\s+\$[\d,.]+\s+)?(?:to|at|from)\s+"
    r"['\"‘“]?(?-i:[A-Z])"
    # the card used at a merchant: "used at 'BEST BARGAIN'", "charged at Dollar Barn"
    r"|\b(?:used|charged|swiped|tapped)\s+(?:\w+\s+){0,2}?at\s+['\"‘“]?(?-i:[A-Z])|\bfilled\s+up\b"
    r"|\b(?:put|placed|made)\s+an?\s+\$?[\d,.]*\s*deposit\b"
    r"|\b(?:took|taken|charged|billed|debited)\s+(?:another\s+)?\$?[\d,.]+\s+(?:from|to|on)\s+my\s+(?:\w+\s+){0,2}?(?:card|debit)\b", _F)
_P2P = re.compile(
    r"\b(?:transfer(?:red|s)?|sent\s+(?:money|\$|it|the\s+money)|send\s+money|wire[sd]?|Zelle|"
    r"Venmo|Lumen\s+user|to\s+(?:my|his|her)\s+(?:friend|brother|sister|son|daughter|mother|"
    r"father|mom|dad|landlord)|ACH|direct\s+debit|bank\s+transfer)\b", _F)
_INTERNATIONAL = re.compile(
    r"\binternational\s+(?:transfer|payment|wire|remittance|money\s+transfer)s?\b|"
    r"\bremittances?\b|\blumen\s+international\b|\b(?:intl|int'l)\s+(?:transfer|payment|wire)s?\b|\b(?:send|sent|sending|transfer(?:red)?|wired?)\b[^.!?]{0,60}\b(?:to|in)\s+"
    r"(?:\w+\s+){0,3}?(?:abroad|overseas|FOREIGN)\b", _F)
_OTHER_PROVIDER = re.compile(
    r"\b(?:western\s+union|moneygram|remitly|wise|xoom|worldremit|ria|paypal)\b", _F)
_REMITTANCE_ERROR = re.compile(
    r"\b(?:never|not|has\s*n[o']?t|did\s*n[o']?t|still\s+(?:not|has\s*n[o']?t))\s+(?:\w+\s+)?"
    r"(?:arrived|received|got\s+(?:it|the\s+money)|picked\s+up|credited|come\s+through|"
    r"delivered)\b|\b(?:received|got)\s+(?:only\s+)?(?:less|short|\$?[\d,.]+\s+less)\b|\bless\s+than\s+"
    r"(?:what|the|I|your)\b|\bwrong\s+(?:amount|exchange\s+rate|rate)\b|\b(?:late|delayed|"
    r"overdue)\b|\breceipt\s+(?:clearly\s+)?says\b|\btook\s+\$[\d,.]+\s+(?:from|out\s+of)\s+my\b"
    r"|\bthere\s+(?:is|was)\s+nothing\b|\bthere's\s+nothing\s+(?:under|for|in)\b|\bnothing\s+under\s+(?:her|his|their|my|the)\s+name\b|\bnever\s+(?:came|arrived|showed\s+up)\b|\bstill\s+nothing\b|"
    r"\bno\s+(?:transfer|money|payment)\s+(?:under|for|in|with)\b|\b(?:is|was|it's)\s+not\s+there\b(?!\s+yet)|\bnothing\s+(?:came|arrived|was\s+there|has\s+arrived|received)\b"
    r"|\bonly\s+(?:got|received|arrived)\b|\bnever\s+(?:got|made\s+it)\s+there\b|\b(?:not|never)\s+"
    r"(?:have|has|had|get|got)\s+the\s+money\b|\b(?:never|not|did\s*n[o']?t)\s+reach(?:ed)?\b"
    r"|\b(?:receive[sd]?|got|get)\s+only\b|\bwant\s+(?:back\s+)?the\s+difference\b|\bstill\s+(?:is\s*n[o']?t|isn't|is\s+not|not)\s+there\b"
    r"|\b(?:have|has|had)\s+nothing\b|\bbut\s+(?:the\s+|your\s+)?(?:app|you|lumen|receipt|screen|quote)\s+(?:quoted|said|promised|"
    r"showed|told)\b"
    r"|\b(?:app|screen|quote|confirmation)\s+(?:said|says|showed|shows|quoted)\b[^.!?]{0,60}\b(?:but|yet)\s+(?:they|he|she|the\s+recipient)\s+"
    r"(?:only\s+)?(?:received|got)\b"
    r"|\breceived\s+nothing\b|\bno\s+record\s+of\b|\bcredited\s+only\b|\bonly\s+credited\b|\barrived\s+short\b"
    r"|\b(?:rate|maths|math)\s+is\s+wrong\b|[₹₱€£¥]\s?[\d,.]+\s+missing\b|\b(?:still\s+)?(?:do|does|did)\s*n[o']?t\s+have\s+it\b", _F)
# Credit card entries that are not purchases: no card-network chargeback.
_NOT_A_PURCHASE = re.compile(
    r"\bbalance\s+transfer\b|\bcash\s+advance\b|\binterest\b|\bmy\s+(?:\$[\d,.]+\s+)?payment\b|\bpayment\s+"
    r"(?:of\s+\$[\d,.]+\s+)?(?:on|toward|towards|to)\s+(?:my|the)\s+(?:\w+\s+){0,3}?(?:card|balance|bill|account)\b"
    r"|\bpaid\s+(?:\$[\d,.]+\s+)?(?:toward|towards)\b|\blate\s+fee\b", _F)
_NEW_ACCOUNT = re.compile(
    r"\b(?:just|recently)\s+(?:opened|signed\s+up|joined|created)\b|\bnew\s+(?:lumen\s+)?"
    r"(?:account|wallet)\b|\b(?:opened|signed\s+up\s+for|created)\s+(?:my|the|this|an?)\s+"
    r"(?:lumen\s+)?(?:account|wallet)\s+(?:only\s+)?(?:last\s+week|this\s+week|this\s+month|a\s+few"
    r"\s+days\s+ago|yesterday|days\s+ago)\b", _F)
_CFPB_FILED = re.compile(
    r"\b(?:filed|submitted|lodged|opened|made|logged|sent|raised|registered)\b[^.!?]{0,50}\b"
    r"(?:CFPB|consumer\s+financial\s+protection\s+bureau|consumerfinance\.gov)\b|\b(?:CFPB|consumer\s+financial\s+"
    r"protection\s+bureau)\s+(?:complaint|case)\s*(?:#|number|no\.?|id)|\b(?:already\s+)?"
    r"(?:complained|reported\s+(?:this|you|it))\s+to\s+the\s+(?:CFPB|consumer\s+financial\s+"
    r"protection\s+bureau)\b", _F)
_WILL_FILE = re.compile(r"\b(?:will|going\s+to|gonna|plan\s+to|about\s+to|shall|'ll)\b", _F)

# Places outside the United States a customer names; cities with US namesakes are left
# out (Paris, Texas) unless their country is usually named with them.
_FOREIGN_PLACES = (
    "mexico|cancun|canc[uú]n|tijuana|guadalajara|monterrey|cabo|puerto\\s+vallarta|canada|"
    "toronto|vancouver|montreal|ottawa|calgary|quebec|europe|london|england|scotland|ireland|"
    "dublin|wales|france|paris,?\\s+france|lyon|nice|spain|madrid|barcelona|seville|ibiza|"
    "portugal|lisbon|porto|italy|rome|milan|florence|venice|naples|germany|berlin|munich|"
    "frankfurt|hamburg|netherlands|amsterdam|belgium|brussels|switzerland|zurich|geneva|austria|"
    "vienna|prague|czech|poland|warsaw|krakow|hungary|budapest|greece|athens|santorini|turkey|"
    "istanbul|croatia|dubrovnik|iceland|reykjavik|norway|oslo|sweden|stockholm|denmark|copenhagen|"
    "finland|helsinki|japan|tokyo|osaka|kyoto|china|beijing|shanghai|hong\\s+kong|taiwan|korea|"
    "seoul|thailand|bangkok|phuket|vietnam|hanoi|singapore|malaysia|bali|indonesia|philippines|"
    "manila|india|delhi|mumbai|bangalore|pakistan|dubai|abu\\s+dhabi|uae|israel|egypt|cairo|"
    "morocco|marrakesh|nigeria|lagos|ghana|accra|kenya|nairobi|south\\s+africa|cape\\s+town|"
    "brazil|rio|s[aã]o\\s+paulo|argentina|buenos\\s+aires|chile|santiago|peru|lima|colombia|"
    "bogot[aá]|medell[ií]n|costa\\s+rica|dominican\\s+republic|punta\\s+cana|jamaica|bahamas|"
    "aruba|cuba|guatemala|el\\s+salvador|honduras|nicaragua|panama|ecuador|venezuela|australia|"
    "sydney|melbourne|new\\s+zealand|auckland|the\\s+uk|u\\.k\\.|uk|cebu|davao|quezon\\s+city|"
    "lahore|karachi|islamabad|dhaka|bangladesh|kathmandu|nepal|sri\\s+lanka|colombo|haiti|"
    "port-au-prince|san\\s+salvador|tegucigalpa|santo\\s+domingo|kingston,?\\s+jamaica|"
    "ho\\s+chi\\s+minh|saigon|jakarta|ethiopia|addis\\s+ababa|somalia|senegal|dakar|cameroon|"
    "ukraine|kyiv|kiev|romania|bucharest|durban|johannesburg|pretoria|pune|chennai|hyderabad|kolkata|"
    "ahmedabad|kerala|goa|krak[oó]w|gda[nń]sk|wroc[lł]aw|abroad|overseas"
)
_FOREIGN = re.compile(rf"\b(?:{_FOREIGN_PLACES})\b", _F)
# Money sent in a foreign currency is sent abroad ("sent 25,000 pesos to my aunt").
_FOREIGN_CURRENCY = (
    "pesos|rupees|naira|cedis|shillings|quetzales|lempiras|soles|reais|rands|dirhams|euros|"
    "pounds|yen|yuan|baht|rupiah|zlotys|hryvnias|birr|francs|dinars|taka|"
    "gourdes|colones|bolivianos"
)
_FOREIGN_MONEY = (
    r"[₱₹€£¥₦]|\b(?:MXN|PHP|COP|INR|NGN|GHS|KES|GTQ|HNL|PEN|BRL|EUR|GBP|JPY|CNY|VND|PKR|BDT|"
    r"DOP|SLV|XOF|UAH|PLN|RON)\b"
)
_INTERNATIONAL = re.compile(
    _INTERNATIONAL.pattern.replace("FOREIGN", f"(?:{_FOREIGN_PLACES})")
    + rf"|\b(?:send|sent|sending|transfer(?:red)?|wired?)\b[^.!?]{{0,40}}\b(?:{_FOREIGN_CURRENCY})\b"
    # a foreign currency and a transfer in one sentence, in either order
    + rf"|\b(?:sent|send|transfer(?:red)?|wired?)\b[^.!?]{{0,80}}(?:{_FOREIGN_MONEY})"
    + rf"|(?:{_FOREIGN_MONEY})[^.!?]{{0,80}}\b(?:sent|transfer(?:red)?|wired?)\b"
    + rf"|\b(?:cousin|mother|father|mom|mum|dad|brother|sister|wife|husband|son|daughter|parents|family|"
    rf"friend|aunt|uncle|grandmother|grandfather|grandma|nephew|niece|recipient)\s+in\s+(?:{_FOREIGN_PLACES})\b"
    rf"[^.!?]{{0,120}}(?:\b(?:{_FOREIGN_CURRENCY})\b|{_FOREIGN_MONEY})"
    rf"|\b(?:{_FOREIGN_PLACES})\b[^.!?]{{0,60}}\bthrough\s+lumen\b",
    _F,
)
# The card was used there: a terminal or merchant abroad, or the customer was there.
_USED_ABROAD = re.compile(
    rf"\b(?:ATMs?|cash\s+machine|shops?|stores?|restaurants?|hotels?|bars?|caf[eé]s?|markets?|"
    rf"taxis?|merchants?|boutiques?|pharmac(?:y|ies)|airport|station|museum|terminal|kiosk|"
    rf"supermarkets?|gas\s+station)\s+(?:\w+\s+){{0,2}}?(?:in|at)\s+(?:{_FOREIGN_PLACES})\b|\b(?:while|when)"
    rf"\s+(?:I\s+was|we\s+were|I\s+am|we\s+are|I'm|we're|travel+ing|visiting|staying|on\s+"
    rf"(?:holiday|vacation|a\s+trip|a\s+business\s+trip))\s+(?:\w+\s+){{0,4}}?(?:in|to|around)?\s*"
    rf"(?:{_FOREIGN_PLACES})\b|\b(?:I\s+am|I'm|Im|we\s+are|we're|I\s+was|we\s+were)\s+(?:currently\s+|still\s+|"
    rf"now\s+)?(?:visiting|travel+ing|staying|living|on\s+(?:holiday|vacation|a\s+trip|a\s+cruise))\b[^.!?]{{0,40}}?"
    rf"\b(?:in|to)\s+(?:{_FOREIGN_PLACES})\b|\b(?:trip|vacation|holiday|honeymoon|travel+ing)\s+(?:to|in)\s+"
    rf"(?:[\w'-]+,?\s+){{0,2}}?(?:{_FOREIGN_PLACES})\b|\b(?:used|tapped|swiped|withdrew)\b[^.!?]{{0,40}}\b(?:in|at)\s+"
    rf"(?:{_FOREIGN_PLACES})\b"
    rf"|\b(?:writing|messaging)\s+(?:to\s+you\s+)?from\s+(?:{_FOREIGN_PLACES})\b|\bestoy\s+en\s+(?:{_FOREIGN_PLACES})\b"
    # cash in a foreign currency out of an ATM: the ATM is abroad
    rf"|\b(?:take|took|taken|withdr\w+|get|got)\s+(?:out\s+)?\d[\d,]*\s*(?:euros?|EUR|pounds|GBP|pesos|MXN|yen|JPY|"
    rf"francs|CHF|dirhams|baht)\b[^.!?]{{0,40}}\b(?:ATM|cash\s+machine)s?\b", _F)


# The cue triage adds when only a confident "payment not recognised" intent, and nothing
# in the text, says the transfer was unauthorized (see triage/service.py).
UNAUTHORIZED_BY_INTENT = "unauthorized_by_intent"
# ...and when a confident "charged twice" or "wrong amount of cash" intent alone says the
# amount is in error.
DISPUTED_BY_INTENT = "disputed_by_intent"


@dataclass(frozen=True)
class ClockFacts:
    """What the clocks need to know about a ticket."""

    received: date
    eft_error: bool = False  # an error in an electronic transfer is asserted (Reg E)
    credit_card: bool = False  # ...a billing error on the Lumen Credit card: Reg Z instead
    card_dispute: bool = False  # a card purchase is disputed: network chargeback window
    cfpb_complaint: bool = False  # the customer has filed a complaint with the CFPB
    point_of_sale: bool = False
    foreign: bool = False  # initiated outside the US (an ATM or merchant abroad)
    new_account: bool = False
    remittance: bool = False  # an error in a Lumen international transfer the customer sent
    cfpb_filed_on: date | None = None
    dates: list[DateMention] = field(default_factory=list)
    notes: tuple[str, ...] = ()  # facts that were unclear, and which reading was taken
    basis_note: str = ""  # when the error itself is inferred, not stated: on every clock

    def earliest(self, kind: str) -> DateMention | None:
        found = [m for m in self.dates if m.kind == kind]
        return min(found, key=lambda m: m.date) if found else None


def clock_facts(text: str, received: date, signals: Iterable[str] = ()) -> ClockFacts:
    """The facts of ``text`` (the redacted ticket) received on ``received``; ``signals``
    are the escalation signals triage found in it."""
    codes = set(signals)
    dates = find_dates(text, received)
    # Offsets are kept: denials are blanked, and the decimal point of an amount ("$1,842.60")
    # becomes a comma, so patterns that stay within a sentence ([^.!?]) read past it.
    text = mask_decimal_points(_DENIED_ERROR.sub(lambda m: " " * len(m.group()), text))
    notes: list[str] = []
    credit = bool(_CREDIT.search(text))
    atm = bool(_ATM.search(text))
    card = bool(_CARD.search(text)) or atm
    purchase = bool(_PURCHASE.search(text)) and not atm
    scam = "scam" in codes
    customer_sent = bool(_CUSTOMER_SENT.search(text))
    credentials = bool(_GAVE_CREDENTIALS.search(text)) and bool(_THEY_MOVED.search(text))
    scam_authorised = scam and customer_sent and not credentials
    said_unauthorized = (
        "unauthorized_transaction" in codes or bool(_UNAUTHORIZED_MORE.search(text)) or credentials
        or bool(_NO_RELATION.search(text) and _MONEY_OUT.search(text))
    )
    # A purchase that went wrong (never delivered, not as described) explains the ticket
    # as well as the intent does: then the intent alone does not make it unauthorized.
    not_delivered = bool(_NOT_DELIVERED.search(text))
    not_as_agreed = bool(_NOT_AS_AGREED.search(text))
    return_not_credited = bool(_RETURN_NOT_CREDITED.search(text)) or bool(
        _RETURNED.search(text) and _STILL_NOT_CREDITED.search(text)
    )
    subscription = bool(_SUBSCRIPTION.search(text))
    merchant_problem = (
        not_delivered or not_as_agreed or return_not_credited or subscription
        or bool(_DISPUTES_PURCHASE.search(text))
    )
    withdrawn = bool(_WITHDRAWN.search(text))
    by_intent = UNAUTHORIZED_BY_INTENT in codes and not merchant_problem
    unauthorized = (said_unauthorized or by_intent) and not scam_authorised and not subscription
    basis = (
        "Unclear: the text does not say the transfer was unauthorized, the issue type (a "
        "payment not recognised) does; confirm with the customer."
        if unauthorized and not said_unauthorized else ""
    )
    # the intent stands in for a duplicate or short amount the patterns did not read
    said_duplicate = bool(_DUPLICATE.search(text))
    atm_short = bool(_ATM_SHORT.search(text))
    dispute_by_intent = (
        DISPUTED_BY_INTENT in codes and not merchant_problem and not scam
        and not said_duplicate and not atm_short
    )
    duplicate = (said_duplicate or dispute_by_intent) and not subscription
    if dispute_by_intent and not basis:
        basis = ("Unclear: the text does not say what went wrong with the amount, the issue type "
                 "(charged twice, or a wrong amount of cash) does; confirm with the customer.")
    wrong_amount = bool(_WRONG_AMOUNT.search(text)) or _amounts_disagree(text)
    declined_debited = bool(_DECLINED_DEBITED.search(text))
    missing_deposit = bool(_MISSING_DEPOSIT.search(text)) and bool(_SENDER_CONFIRMS.search(text))
    misrouted = bool(_MISROUTED.search(text)) and bool(_CORRECT_DETAILS.search(text))
    payment_not_credited = bool(_PAYMENT_NOT_CREDITED.search(text))

    computation = bool(_COMPUTATION_ERROR.search(text))
    # Any error in an international transfer the customer sent with Lumen is a remittance
    # error (12 CFR 1005.33), whichever pattern found it: never Reg E's 1005.11 clocks.
    # (Cheapest tests first: the international and error patterns are the costliest.)
    remittance = bool(
        customer_sent and not unauthorized and not scam and not credit and not withdrawn
        and (wrong_amount or duplicate or declined_debited or misrouted or computation
             or _REMITTANCE_ERROR.search(text))
        and _INTERNATIONAL.search(text) and not _OTHER_PROVIDER.search(text)
        and not _STILL_WAITING.search(text) and not promised_ahead(text, received)
    )
    reg_e_error = (
        unauthorized or duplicate or wrong_amount or atm_short or declined_debited
        or missing_deposit or misrouted or computation
    ) and not remittance and not withdrawn
    billing_error = credit and not withdrawn and (
        reg_e_error or merchant_problem or payment_not_credited)
    eft_error = reg_e_error and not credit

    # The chargeback window: a disputed card purchase (not an ATM, not a person-to-person
    # transfer), debit or credit.
    # A credit card charge is a card purchase by nature; a debit card needs a purchase.
    card_purchase = (credit and not atm and not (
        _NOT_A_PURCHASE.search(text) and not purchase)) or (card and purchase)
    disputed = unauthorized or duplicate or wrong_amount or merchant_problem or declined_debited
    card_dispute = card_purchase and not withdrawn and (
        (disputed and not scam_authorised) or (scam_authorised and merchant_problem)
    )

    point_of_sale = eft_error and card_purchase and not atm
    if eft_error and card and not purchase and not atm:
        notes.append("unclear whether the card was used for a purchase: not taken as point of "
                     "sale (45 days, not 90)")
    foreign = eft_error and bool(_USED_ABROAD.search(text))
    if eft_error and not foreign and _FOREIGN.search(text):
        notes.append("a place abroad is named but the transfer was not shown to be made there: "
                     "not taken as initiated abroad (45 days, not 90)")
    new_account = eft_error and _is_new_account(text, dates, received)

    cfpb_on: date | None = None
    filed = _CFPB_FILED.search(text)
    cfpb = (
        ("cfpb_complaint_filed" in codes or bool(filed))
        and not (filed and _WILL_FILE.search(_words_before(text, filed.start())))
    )
    if cfpb:
        when = [m for m in dates if m.kind == "filed"]
        cfpb_on = min(m.date for m in when) if when else received

    return ClockFacts(
        received=received,
        eft_error=eft_error or billing_error,
        credit_card=billing_error,
        card_dispute=card_dispute,
        cfpb_complaint=cfpb,
        point_of_sale=point_of_sale,
        foreign=foreign,
        new_account=new_account,
        remittance=remittance,
        cfpb_filed_on=cfpb_on,
        dates=dates,
        notes=tuple(notes),
        basis_note=basis,
    )


_AGREED_AMOUNT = re.compile(
    r"\b(?:said|says|quote[ds]?|quoted|contract\s+says|receipt\s+(?:says|shows)|bill\s+was|total(?:\s+was)?|"
    r"costs?|cost\s+only|price\s+was|total\s+to\s+pay|always|normal\s+amount\s+(?:is|of)|supposed\s+to\s+be|(?:agreed|quoted)\s+"
    r"(?:price|rate|amount|total)(?:\s+of)?)\s+(?:was\s+|is\s+)?(?:only\s+|just\s+)?(?:[A-Z]{2})?[$£€]?\s?(\d[\d,]*)", _F)
_CHARGED_AMOUNT = re.compile(
    r"\b(?:charged|took|taken|debited|billed|withdrawn|deducted|pulled|(?:card|account|wallet|app|statement)\s+"
    r"(?:got\s+charged|shows|showed)|statement\b[^.!?$]{0,40}\bshows)\s+(?:me\s+)?(?:\w+\s+){0,4}?[$£€]\s?(\d[\d,]*)", _F)


def _amount(raw: str) -> float:
    """'1,124,00' (a decimal comma from mask_decimal_points, or a European amount) or '1,124'."""
    whole, _, cents = raw.rpartition(",")
    if whole and len(cents) == 2:
        return float(whole.replace(",", "") + "." + cents)
    return float(raw.replace(",", ""))


def _amounts_disagree(text: str) -> bool:
    """The ticket names what a payment should have been and a different amount taken
    ("The pump said $48.20. My card got charged $148.20")."""
    agreed = {_amount(m.group(1)) for m in _AGREED_AMOUNT.finditer(text)}
    charged = {_amount(m.group(1)) for m in _CHARGED_AMOUNT.finditer(text)}
    return bool(agreed and charged and not charged <= agreed)


def _words_before(text: str, at: int, words: int = 3) -> str:
    """The last few words before ``at`` in its sentence ("I will file" but not "nobody will
    tell me why. I filed")."""
    sentence = re.split(r"[.!?\n]", text[max(0, at - 80) : at])[-1]
    return " ".join(sentence.split()[-words:])


def _is_new_account(text: str, dates: list[DateMention], received: date) -> bool:
    """The disputed transfer happened within 30 days after the account was opened."""
    opened = [m.date for m in dates if m.kind == "account_opened"]
    moved = [m.date for m in dates if m.kind == "transaction"]
    if opened and moved:
        # the later deadlines of a new account only when every dated transfer is new
        return all(any(0 <= (t - o).days <= 30 for o in opened) for t in moved)
    if opened:  # the transfer came between the opening and the notice
        return any(0 <= (received - o).days <= 30 for o in opened)
    return bool(_NEW_ACCOUNT.search(text))


guard_module(globals())  # after every pattern is built: see assistant/fastregex.py
