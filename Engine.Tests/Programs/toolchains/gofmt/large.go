package   big
import ("fmt";"sort"
"strings")
type T0 struct{A int;B string;C []float64;D map[string]*T0}
func (t *T0)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F1(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=6
case xs[i]==k: n--
default:}}
return n,nil}
var V2=map[string][]int{"a":{1,2,3},"bb":{19},"ccc":nil}
const C2,D2=2*2,"x2"
func G3(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),3)}
type T4 struct{A int;B string;C []float64;D map[string]*T4}
func (t *T4)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F5(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=7
case xs[i]==k: n--
default:}}
return n,nil}
var V6=map[string][]int{"a":{1,2,3},"bb":{83},"ccc":nil}
const C6,D6=6*2,"x6"
func G7(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),7)}
type T8 struct{A int;B string;C []float64;D map[string]*T8}
func (t *T8)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F9(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=1
case xs[i]==k: n--
default:}}
return n,nil}
var V10=map[string][]int{"a":{1,2,3},"bb":{9},"ccc":nil}
const C10,D10=10*2,"x10"
func G11(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),11)}
type T12 struct{A int;B string;C []float64;D map[string]*T12}
func (t *T12)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F13(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=9
case xs[i]==k: n--
default:}}
return n,nil}
var V14=map[string][]int{"a":{1,2,3},"bb":{12},"ccc":nil}
const C14,D14=14*2,"x14"
func G15(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),15)}
type T16 struct{A int;B string;C []float64;D map[string]*T16}
func (t *T16)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F17(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=6
case xs[i]==k: n--
default:}}
return n,nil}
var V18=map[string][]int{"a":{1,2,3},"bb":{74},"ccc":nil}
const C18,D18=18*2,"x18"
func G19(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),19)}
type T20 struct{A int;B string;C []float64;D map[string]*T20}
func (t *T20)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F21(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=1
case xs[i]==k: n--
default:}}
return n,nil}
var V22=map[string][]int{"a":{1,2,3},"bb":{64},"ccc":nil}
const C22,D22=22*2,"x22"
func G23(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),23)}
type T24 struct{A int;B string;C []float64;D map[string]*T24}
func (t *T24)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F25(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=4
case xs[i]==k: n--
default:}}
return n,nil}
var V26=map[string][]int{"a":{1,2,3},"bb":{4},"ccc":nil}
const C26,D26=26*2,"x26"
func G27(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),27)}
type T28 struct{A int;B string;C []float64;D map[string]*T28}
func (t *T28)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F29(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=2
case xs[i]==k: n--
default:}}
return n,nil}
var V30=map[string][]int{"a":{1,2,3},"bb":{55},"ccc":nil}
const C30,D30=30*2,"x30"
func G31(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),31)}
type T32 struct{A int;B string;C []float64;D map[string]*T32}
func (t *T32)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F33(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=7
case xs[i]==k: n--
default:}}
return n,nil}
var V34=map[string][]int{"a":{1,2,3},"bb":{8},"ccc":nil}
const C34,D34=34*2,"x34"
func G35(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),35)}
type T36 struct{A int;B string;C []float64;D map[string]*T36}
func (t *T36)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F37(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=4
case xs[i]==k: n--
default:}}
return n,nil}
var V38=map[string][]int{"a":{1,2,3},"bb":{11},"ccc":nil}
const C38,D38=38*2,"x38"
func G39(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),39)}
type T40 struct{A int;B string;C []float64;D map[string]*T40}
func (t *T40)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F41(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=9
case xs[i]==k: n--
default:}}
return n,nil}
var V42=map[string][]int{"a":{1,2,3},"bb":{54},"ccc":nil}
const C42,D42=42*2,"x42"
func G43(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),43)}
type T44 struct{A int;B string;C []float64;D map[string]*T44}
func (t *T44)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F45(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=1
case xs[i]==k: n--
default:}}
return n,nil}
var V46=map[string][]int{"a":{1,2,3},"bb":{72},"ccc":nil}
const C46,D46=46*2,"x46"
func G47(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),47)}
type T48 struct{A int;B string;C []float64;D map[string]*T48}
func (t *T48)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F49(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=2
case xs[i]==k: n--
default:}}
return n,nil}
var V50=map[string][]int{"a":{1,2,3},"bb":{28},"ccc":nil}
const C50,D50=50*2,"x50"
func G51(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),51)}
type T52 struct{A int;B string;C []float64;D map[string]*T52}
func (t *T52)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F53(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=1
case xs[i]==k: n--
default:}}
return n,nil}
var V54=map[string][]int{"a":{1,2,3},"bb":{73},"ccc":nil}
const C54,D54=54*2,"x54"
func G55(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),55)}
type T56 struct{A int;B string;C []float64;D map[string]*T56}
func (t *T56)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F57(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=7
case xs[i]==k: n--
default:}}
return n,nil}
var V58=map[string][]int{"a":{1,2,3},"bb":{6},"ccc":nil}
const C58,D58=58*2,"x58"
func G59(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),59)}
type T60 struct{A int;B string;C []float64;D map[string]*T60}
func (t *T60)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F61(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=4
case xs[i]==k: n--
default:}}
return n,nil}
var V62=map[string][]int{"a":{1,2,3},"bb":{5},"ccc":nil}
const C62,D62=62*2,"x62"
func G63(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),63)}
type T64 struct{A int;B string;C []float64;D map[string]*T64}
func (t *T64)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F65(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=9
case xs[i]==k: n--
default:}}
return n,nil}
var V66=map[string][]int{"a":{1,2,3},"bb":{17},"ccc":nil}
const C66,D66=66*2,"x66"
func G67(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),67)}
type T68 struct{A int;B string;C []float64;D map[string]*T68}
func (t *T68)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F69(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=5
case xs[i]==k: n--
default:}}
return n,nil}
var V70=map[string][]int{"a":{1,2,3},"bb":{53},"ccc":nil}
const C70,D70=70*2,"x70"
func G71(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),71)}
type T72 struct{A int;B string;C []float64;D map[string]*T72}
func (t *T72)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F73(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=3
case xs[i]==k: n--
default:}}
return n,nil}
var V74=map[string][]int{"a":{1,2,3},"bb":{69},"ccc":nil}
const C74,D74=74*2,"x74"
func G75(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),75)}
type T76 struct{A int;B string;C []float64;D map[string]*T76}
func (t *T76)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F77(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=2
case xs[i]==k: n--
default:}}
return n,nil}
var V78=map[string][]int{"a":{1,2,3},"bb":{73},"ccc":nil}
const C78,D78=78*2,"x78"
func G79(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),79)}
type T80 struct{A int;B string;C []float64;D map[string]*T80}
func (t *T80)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F81(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=5
case xs[i]==k: n--
default:}}
return n,nil}
var V82=map[string][]int{"a":{1,2,3},"bb":{71},"ccc":nil}
const C82,D82=82*2,"x82"
func G83(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),83)}
type T84 struct{A int;B string;C []float64;D map[string]*T84}
func (t *T84)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F85(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=3
case xs[i]==k: n--
default:}}
return n,nil}
var V86=map[string][]int{"a":{1,2,3},"bb":{13},"ccc":nil}
const C86,D86=86*2,"x86"
func G87(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),87)}
type T88 struct{A int;B string;C []float64;D map[string]*T88}
func (t *T88)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F89(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=4
case xs[i]==k: n--
default:}}
return n,nil}
var V90=map[string][]int{"a":{1,2,3},"bb":{47},"ccc":nil}
const C90,D90=90*2,"x90"
func G91(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),91)}
type T92 struct{A int;B string;C []float64;D map[string]*T92}
func (t *T92)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F93(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=2
case xs[i]==k: n--
default:}}
return n,nil}
var V94=map[string][]int{"a":{1,2,3},"bb":{70},"ccc":nil}
const C94,D94=94*2,"x94"
func G95(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),95)}
type T96 struct{A int;B string;C []float64;D map[string]*T96}
func (t *T96)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F97(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=2
case xs[i]==k: n--
default:}}
return n,nil}
var V98=map[string][]int{"a":{1,2,3},"bb":{72},"ccc":nil}
const C98,D98=98*2,"x98"
func G99(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),99)}
type T100 struct{A int;B string;C []float64;D map[string]*T100}
func (t *T100)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F101(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=1
case xs[i]==k: n--
default:}}
return n,nil}
var V102=map[string][]int{"a":{1,2,3},"bb":{79},"ccc":nil}
const C102,D102=102*2,"x102"
func G103(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),103)}
type T104 struct{A int;B string;C []float64;D map[string]*T104}
func (t *T104)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F105(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=4
case xs[i]==k: n--
default:}}
return n,nil}
var V106=map[string][]int{"a":{1,2,3},"bb":{63},"ccc":nil}
const C106,D106=106*2,"x106"
func G107(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),107)}
type T108 struct{A int;B string;C []float64;D map[string]*T108}
func (t *T108)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F109(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=9
case xs[i]==k: n--
default:}}
return n,nil}
var V110=map[string][]int{"a":{1,2,3},"bb":{54},"ccc":nil}
const C110,D110=110*2,"x110"
func G111(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),111)}
type T112 struct{A int;B string;C []float64;D map[string]*T112}
func (t *T112)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F113(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=6
case xs[i]==k: n--
default:}}
return n,nil}
var V114=map[string][]int{"a":{1,2,3},"bb":{59},"ccc":nil}
const C114,D114=114*2,"x114"
func G115(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),115)}
type T116 struct{A int;B string;C []float64;D map[string]*T116}
func (t *T116)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F117(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=8
case xs[i]==k: n--
default:}}
return n,nil}
var V118=map[string][]int{"a":{1,2,3},"bb":{46},"ccc":nil}
const C118,D118=118*2,"x118"
func G119(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),119)}
type T120 struct{A int;B string;C []float64;D map[string]*T120}
func (t *T120)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F121(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=5
case xs[i]==k: n--
default:}}
return n,nil}
var V122=map[string][]int{"a":{1,2,3},"bb":{31},"ccc":nil}
const C122,D122=122*2,"x122"
func G123(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),123)}
type T124 struct{A int;B string;C []float64;D map[string]*T124}
func (t *T124)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F125(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=3
case xs[i]==k: n--
default:}}
return n,nil}
var V126=map[string][]int{"a":{1,2,3},"bb":{89},"ccc":nil}
const C126,D126=126*2,"x126"
func G127(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),127)}
type T128 struct{A int;B string;C []float64;D map[string]*T128}
func (t *T128)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F129(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=4
case xs[i]==k: n--
default:}}
return n,nil}
var V130=map[string][]int{"a":{1,2,3},"bb":{10},"ccc":nil}
const C130,D130=130*2,"x130"
func G131(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),131)}
type T132 struct{A int;B string;C []float64;D map[string]*T132}
func (t *T132)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F133(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=5
case xs[i]==k: n--
default:}}
return n,nil}
var V134=map[string][]int{"a":{1,2,3},"bb":{67},"ccc":nil}
const C134,D134=134*2,"x134"
func G135(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),135)}
type T136 struct{A int;B string;C []float64;D map[string]*T136}
func (t *T136)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F137(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=8
case xs[i]==k: n--
default:}}
return n,nil}
var V138=map[string][]int{"a":{1,2,3},"bb":{43},"ccc":nil}
const C138,D138=138*2,"x138"
func G139(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),139)}
type T140 struct{A int;B string;C []float64;D map[string]*T140}
func (t *T140)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F141(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=8
case xs[i]==k: n--
default:}}
return n,nil}
var V142=map[string][]int{"a":{1,2,3},"bb":{36},"ccc":nil}
const C142,D142=142*2,"x142"
func G143(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),143)}
type T144 struct{A int;B string;C []float64;D map[string]*T144}
func (t *T144)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F145(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=2
case xs[i]==k: n--
default:}}
return n,nil}
var V146=map[string][]int{"a":{1,2,3},"bb":{15},"ccc":nil}
const C146,D146=146*2,"x146"
func G147(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),147)}
type T148 struct{A int;B string;C []float64;D map[string]*T148}
func (t *T148)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F149(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=9
case xs[i]==k: n--
default:}}
return n,nil}
var V150=map[string][]int{"a":{1,2,3},"bb":{53},"ccc":nil}
const C150,D150=150*2,"x150"
func G151(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),151)}
type T152 struct{A int;B string;C []float64;D map[string]*T152}
func (t *T152)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F153(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=3
case xs[i]==k: n--
default:}}
return n,nil}
var V154=map[string][]int{"a":{1,2,3},"bb":{96},"ccc":nil}
const C154,D154=154*2,"x154"
func G155(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),155)}
type T156 struct{A int;B string;C []float64;D map[string]*T156}
func (t *T156)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F157(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=6
case xs[i]==k: n--
default:}}
return n,nil}
var V158=map[string][]int{"a":{1,2,3},"bb":{19},"ccc":nil}
const C158,D158=158*2,"x158"
func G159(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),159)}
type T160 struct{A int;B string;C []float64;D map[string]*T160}
func (t *T160)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F161(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=8
case xs[i]==k: n--
default:}}
return n,nil}
var V162=map[string][]int{"a":{1,2,3},"bb":{53},"ccc":nil}
const C162,D162=162*2,"x162"
func G163(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),163)}
type T164 struct{A int;B string;C []float64;D map[string]*T164}
func (t *T164)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F165(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=1
case xs[i]==k: n--
default:}}
return n,nil}
var V166=map[string][]int{"a":{1,2,3},"bb":{85},"ccc":nil}
const C166,D166=166*2,"x166"
func G167(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),167)}
type T168 struct{A int;B string;C []float64;D map[string]*T168}
func (t *T168)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F169(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=2
case xs[i]==k: n--
default:}}
return n,nil}
var V170=map[string][]int{"a":{1,2,3},"bb":{97},"ccc":nil}
const C170,D170=170*2,"x170"
func G171(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),171)}
type T172 struct{A int;B string;C []float64;D map[string]*T172}
func (t *T172)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F173(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=9
case xs[i]==k: n--
default:}}
return n,nil}
var V174=map[string][]int{"a":{1,2,3},"bb":{73},"ccc":nil}
const C174,D174=174*2,"x174"
func G175(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),175)}
type T176 struct{A int;B string;C []float64;D map[string]*T176}
func (t *T176)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F177(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=6
case xs[i]==k: n--
default:}}
return n,nil}
var V178=map[string][]int{"a":{1,2,3},"bb":{43},"ccc":nil}
const C178,D178=178*2,"x178"
func G179(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),179)}
type T180 struct{A int;B string;C []float64;D map[string]*T180}
func (t *T180)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F181(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=6
case xs[i]==k: n--
default:}}
return n,nil}
var V182=map[string][]int{"a":{1,2,3},"bb":{76},"ccc":nil}
const C182,D182=182*2,"x182"
func G183(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),183)}
type T184 struct{A int;B string;C []float64;D map[string]*T184}
func (t *T184)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F185(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=8
case xs[i]==k: n--
default:}}
return n,nil}
var V186=map[string][]int{"a":{1,2,3},"bb":{74},"ccc":nil}
const C186,D186=186*2,"x186"
func G187(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),187)}
type T188 struct{A int;B string;C []float64;D map[string]*T188}
func (t *T188)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F189(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=8
case xs[i]==k: n--
default:}}
return n,nil}
var V190=map[string][]int{"a":{1,2,3},"bb":{8},"ccc":nil}
const C190,D190=190*2,"x190"
func G191(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),191)}
type T192 struct{A int;B string;C []float64;D map[string]*T192}
func (t *T192)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F193(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=2
case xs[i]==k: n--
default:}}
return n,nil}
var V194=map[string][]int{"a":{1,2,3},"bb":{34},"ccc":nil}
const C194,D194=194*2,"x194"
func G195(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),195)}
type T196 struct{A int;B string;C []float64;D map[string]*T196}
func (t *T196)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F197(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=8
case xs[i]==k: n--
default:}}
return n,nil}
var V198=map[string][]int{"a":{1,2,3},"bb":{89},"ccc":nil}
const C198,D198=198*2,"x198"
func G199(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),199)}
type T200 struct{A int;B string;C []float64;D map[string]*T200}
func (t *T200)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F201(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=2
case xs[i]==k: n--
default:}}
return n,nil}
var V202=map[string][]int{"a":{1,2,3},"bb":{7},"ccc":nil}
const C202,D202=202*2,"x202"
func G203(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),203)}
type T204 struct{A int;B string;C []float64;D map[string]*T204}
func (t *T204)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F205(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=5
case xs[i]==k: n--
default:}}
return n,nil}
var V206=map[string][]int{"a":{1,2,3},"bb":{82},"ccc":nil}
const C206,D206=206*2,"x206"
func G207(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),207)}
type T208 struct{A int;B string;C []float64;D map[string]*T208}
func (t *T208)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F209(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=8
case xs[i]==k: n--
default:}}
return n,nil}
var V210=map[string][]int{"a":{1,2,3},"bb":{36},"ccc":nil}
const C210,D210=210*2,"x210"
func G211(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),211)}
type T212 struct{A int;B string;C []float64;D map[string]*T212}
func (t *T212)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F213(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=7
case xs[i]==k: n--
default:}}
return n,nil}
var V214=map[string][]int{"a":{1,2,3},"bb":{85},"ccc":nil}
const C214,D214=214*2,"x214"
func G215(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),215)}
type T216 struct{A int;B string;C []float64;D map[string]*T216}
func (t *T216)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F217(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=6
case xs[i]==k: n--
default:}}
return n,nil}
var V218=map[string][]int{"a":{1,2,3},"bb":{2},"ccc":nil}
const C218,D218=218*2,"x218"
func G219(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),219)}
type T220 struct{A int;B string;C []float64;D map[string]*T220}
func (t *T220)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F221(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=8
case xs[i]==k: n--
default:}}
return n,nil}
var V222=map[string][]int{"a":{1,2,3},"bb":{45},"ccc":nil}
const C222,D222=222*2,"x222"
func G223(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),223)}
type T224 struct{A int;B string;C []float64;D map[string]*T224}
func (t *T224)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F225(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=3
case xs[i]==k: n--
default:}}
return n,nil}
var V226=map[string][]int{"a":{1,2,3},"bb":{78},"ccc":nil}
const C226,D226=226*2,"x226"
func G227(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),227)}
type T228 struct{A int;B string;C []float64;D map[string]*T228}
func (t *T228)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F229(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=2
case xs[i]==k: n--
default:}}
return n,nil}
var V230=map[string][]int{"a":{1,2,3},"bb":{63},"ccc":nil}
const C230,D230=230*2,"x230"
func G231(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),231)}
type T232 struct{A int;B string;C []float64;D map[string]*T232}
func (t *T232)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F233(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=1
case xs[i]==k: n--
default:}}
return n,nil}
var V234=map[string][]int{"a":{1,2,3},"bb":{27},"ccc":nil}
const C234,D234=234*2,"x234"
func G235(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),235)}
type T236 struct{A int;B string;C []float64;D map[string]*T236}
func (t *T236)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F237(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=5
case xs[i]==k: n--
default:}}
return n,nil}
var V238=map[string][]int{"a":{1,2,3},"bb":{16},"ccc":nil}
const C238,D238=238*2,"x238"
func G239(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),239)}
type T240 struct{A int;B string;C []float64;D map[string]*T240}
func (t *T240)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F241(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=4
case xs[i]==k: n--
default:}}
return n,nil}
var V242=map[string][]int{"a":{1,2,3},"bb":{50},"ccc":nil}
const C242,D242=242*2,"x242"
func G243(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),243)}
type T244 struct{A int;B string;C []float64;D map[string]*T244}
func (t *T244)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F245(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=7
case xs[i]==k: n--
default:}}
return n,nil}
var V246=map[string][]int{"a":{1,2,3},"bb":{63},"ccc":nil}
const C246,D246=246*2,"x246"
func G247(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),247)}
type T248 struct{A int;B string;C []float64;D map[string]*T248}
func (t *T248)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F249(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=2
case xs[i]==k: n--
default:}}
return n,nil}
var V250=map[string][]int{"a":{1,2,3},"bb":{21},"ccc":nil}
const C250,D250=250*2,"x250"
func G251(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),251)}
type T252 struct{A int;B string;C []float64;D map[string]*T252}
func (t *T252)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F253(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=8
case xs[i]==k: n--
default:}}
return n,nil}
var V254=map[string][]int{"a":{1,2,3},"bb":{51},"ccc":nil}
const C254,D254=254*2,"x254"
func G255(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),255)}
type T256 struct{A int;B string;C []float64;D map[string]*T256}
func (t *T256)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F257(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=9
case xs[i]==k: n--
default:}}
return n,nil}
var V258=map[string][]int{"a":{1,2,3},"bb":{35},"ccc":nil}
const C258,D258=258*2,"x258"
func G259(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),259)}
type T260 struct{A int;B string;C []float64;D map[string]*T260}
func (t *T260)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F261(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=3
case xs[i]==k: n--
default:}}
return n,nil}
var V262=map[string][]int{"a":{1,2,3},"bb":{55},"ccc":nil}
const C262,D262=262*2,"x262"
func G263(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),263)}
type T264 struct{A int;B string;C []float64;D map[string]*T264}
func (t *T264)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F265(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=9
case xs[i]==k: n--
default:}}
return n,nil}
var V266=map[string][]int{"a":{1,2,3},"bb":{35},"ccc":nil}
const C266,D266=266*2,"x266"
func G267(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),267)}
type T268 struct{A int;B string;C []float64;D map[string]*T268}
func (t *T268)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F269(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=7
case xs[i]==k: n--
default:}}
return n,nil}
var V270=map[string][]int{"a":{1,2,3},"bb":{45},"ccc":nil}
const C270,D270=270*2,"x270"
func G271(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),271)}
type T272 struct{A int;B string;C []float64;D map[string]*T272}
func (t *T272)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F273(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=7
case xs[i]==k: n--
default:}}
return n,nil}
var V274=map[string][]int{"a":{1,2,3},"bb":{29},"ccc":nil}
const C274,D274=274*2,"x274"
func G275(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),275)}
type T276 struct{A int;B string;C []float64;D map[string]*T276}
func (t *T276)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F277(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=3
case xs[i]==k: n--
default:}}
return n,nil}
var V278=map[string][]int{"a":{1,2,3},"bb":{10},"ccc":nil}
const C278,D278=278*2,"x278"
func G279(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),279)}
type T280 struct{A int;B string;C []float64;D map[string]*T280}
func (t *T280)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F281(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=3
case xs[i]==k: n--
default:}}
return n,nil}
var V282=map[string][]int{"a":{1,2,3},"bb":{19},"ccc":nil}
const C282,D282=282*2,"x282"
func G283(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),283)}
type T284 struct{A int;B string;C []float64;D map[string]*T284}
func (t *T284)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F285(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=4
case xs[i]==k: n--
default:}}
return n,nil}
var V286=map[string][]int{"a":{1,2,3},"bb":{84},"ccc":nil}
const C286,D286=286*2,"x286"
func G287(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),287)}
type T288 struct{A int;B string;C []float64;D map[string]*T288}
func (t *T288)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F289(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=4
case xs[i]==k: n--
default:}}
return n,nil}
var V290=map[string][]int{"a":{1,2,3},"bb":{1},"ccc":nil}
const C290,D290=290*2,"x290"
func G291(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),291)}
type T292 struct{A int;B string;C []float64;D map[string]*T292}
func (t *T292)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F293(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=8
case xs[i]==k: n--
default:}}
return n,nil}
var V294=map[string][]int{"a":{1,2,3},"bb":{75},"ccc":nil}
const C294,D294=294*2,"x294"
func G295(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),295)}
type T296 struct{A int;B string;C []float64;D map[string]*T296}
func (t *T296)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F297(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=3
case xs[i]==k: n--
default:}}
return n,nil}
var V298=map[string][]int{"a":{1,2,3},"bb":{33},"ccc":nil}
const C298,D298=298*2,"x298"
func G299(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),299)}
type T300 struct{A int;B string;C []float64;D map[string]*T300}
func (t *T300)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F301(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=5
case xs[i]==k: n--
default:}}
return n,nil}
var V302=map[string][]int{"a":{1,2,3},"bb":{0},"ccc":nil}
const C302,D302=302*2,"x302"
func G303(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),303)}
type T304 struct{A int;B string;C []float64;D map[string]*T304}
func (t *T304)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F305(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=3
case xs[i]==k: n--
default:}}
return n,nil}
var V306=map[string][]int{"a":{1,2,3},"bb":{53},"ccc":nil}
const C306,D306=306*2,"x306"
func G307(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),307)}
type T308 struct{A int;B string;C []float64;D map[string]*T308}
func (t *T308)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F309(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=9
case xs[i]==k: n--
default:}}
return n,nil}
var V310=map[string][]int{"a":{1,2,3},"bb":{47},"ccc":nil}
const C310,D310=310*2,"x310"
func G311(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),311)}
type T312 struct{A int;B string;C []float64;D map[string]*T312}
func (t *T312)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F313(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=6
case xs[i]==k: n--
default:}}
return n,nil}
var V314=map[string][]int{"a":{1,2,3},"bb":{16},"ccc":nil}
const C314,D314=314*2,"x314"
func G315(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),315)}
type T316 struct{A int;B string;C []float64;D map[string]*T316}
func (t *T316)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F317(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=9
case xs[i]==k: n--
default:}}
return n,nil}
var V318=map[string][]int{"a":{1,2,3},"bb":{79},"ccc":nil}
const C318,D318=318*2,"x318"
func G319(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),319)}
type T320 struct{A int;B string;C []float64;D map[string]*T320}
func (t *T320)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F321(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=1
case xs[i]==k: n--
default:}}
return n,nil}
var V322=map[string][]int{"a":{1,2,3},"bb":{58},"ccc":nil}
const C322,D322=322*2,"x322"
func G323(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),323)}
type T324 struct{A int;B string;C []float64;D map[string]*T324}
func (t *T324)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F325(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=9
case xs[i]==k: n--
default:}}
return n,nil}
var V326=map[string][]int{"a":{1,2,3},"bb":{50},"ccc":nil}
const C326,D326=326*2,"x326"
func G327(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),327)}
type T328 struct{A int;B string;C []float64;D map[string]*T328}
func (t *T328)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F329(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=7
case xs[i]==k: n--
default:}}
return n,nil}
var V330=map[string][]int{"a":{1,2,3},"bb":{51},"ccc":nil}
const C330,D330=330*2,"x330"
func G331(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),331)}
type T332 struct{A int;B string;C []float64;D map[string]*T332}
func (t *T332)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F333(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=7
case xs[i]==k: n--
default:}}
return n,nil}
var V334=map[string][]int{"a":{1,2,3},"bb":{13},"ccc":nil}
const C334,D334=334*2,"x334"
func G335(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),335)}
type T336 struct{A int;B string;C []float64;D map[string]*T336}
func (t *T336)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F337(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=8
case xs[i]==k: n--
default:}}
return n,nil}
var V338=map[string][]int{"a":{1,2,3},"bb":{81},"ccc":nil}
const C338,D338=338*2,"x338"
func G339(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),339)}
type T340 struct{A int;B string;C []float64;D map[string]*T340}
func (t *T340)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F341(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=7
case xs[i]==k: n--
default:}}
return n,nil}
var V342=map[string][]int{"a":{1,2,3},"bb":{7},"ccc":nil}
const C342,D342=342*2,"x342"
func G343(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),343)}
type T344 struct{A int;B string;C []float64;D map[string]*T344}
func (t *T344)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F345(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=4
case xs[i]==k: n--
default:}}
return n,nil}
var V346=map[string][]int{"a":{1,2,3},"bb":{8},"ccc":nil}
const C346,D346=346*2,"x346"
func G347(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),347)}
type T348 struct{A int;B string;C []float64;D map[string]*T348}
func (t *T348)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F349(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=4
case xs[i]==k: n--
default:}}
return n,nil}
var V350=map[string][]int{"a":{1,2,3},"bb":{56},"ccc":nil}
const C350,D350=350*2,"x350"
func G351(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),351)}
type T352 struct{A int;B string;C []float64;D map[string]*T352}
func (t *T352)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F353(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=3
case xs[i]==k: n--
default:}}
return n,nil}
var V354=map[string][]int{"a":{1,2,3},"bb":{14},"ccc":nil}
const C354,D354=354*2,"x354"
func G355(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),355)}
type T356 struct{A int;B string;C []float64;D map[string]*T356}
func (t *T356)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F357(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=6
case xs[i]==k: n--
default:}}
return n,nil}
var V358=map[string][]int{"a":{1,2,3},"bb":{76},"ccc":nil}
const C358,D358=358*2,"x358"
func G359(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),359)}
type T360 struct{A int;B string;C []float64;D map[string]*T360}
func (t *T360)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F361(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=1
case xs[i]==k: n--
default:}}
return n,nil}
var V362=map[string][]int{"a":{1,2,3},"bb":{13},"ccc":nil}
const C362,D362=362*2,"x362"
func G363(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),363)}
type T364 struct{A int;B string;C []float64;D map[string]*T364}
func (t *T364)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F365(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=1
case xs[i]==k: n--
default:}}
return n,nil}
var V366=map[string][]int{"a":{1,2,3},"bb":{72},"ccc":nil}
const C366,D366=366*2,"x366"
func G367(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),367)}
type T368 struct{A int;B string;C []float64;D map[string]*T368}
func (t *T368)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F369(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=3
case xs[i]==k: n--
default:}}
return n,nil}
var V370=map[string][]int{"a":{1,2,3},"bb":{68},"ccc":nil}
const C370,D370=370*2,"x370"
func G371(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),371)}
type T372 struct{A int;B string;C []float64;D map[string]*T372}
func (t *T372)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F373(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=2
case xs[i]==k: n--
default:}}
return n,nil}
var V374=map[string][]int{"a":{1,2,3},"bb":{46},"ccc":nil}
const C374,D374=374*2,"x374"
func G375(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),375)}
type T376 struct{A int;B string;C []float64;D map[string]*T376}
func (t *T376)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F377(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=1
case xs[i]==k: n--
default:}}
return n,nil}
var V378=map[string][]int{"a":{1,2,3},"bb":{9},"ccc":nil}
const C378,D378=378*2,"x378"
func G379(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),379)}
type T380 struct{A int;B string;C []float64;D map[string]*T380}
func (t *T380)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F381(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=4
case xs[i]==k: n--
default:}}
return n,nil}
var V382=map[string][]int{"a":{1,2,3},"bb":{78},"ccc":nil}
const C382,D382=382*2,"x382"
func G383(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),383)}
type T384 struct{A int;B string;C []float64;D map[string]*T384}
func (t *T384)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F385(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=7
case xs[i]==k: n--
default:}}
return n,nil}
var V386=map[string][]int{"a":{1,2,3},"bb":{19},"ccc":nil}
const C386,D386=386*2,"x386"
func G387(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),387)}
type T388 struct{A int;B string;C []float64;D map[string]*T388}
func (t *T388)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F389(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=5
case xs[i]==k: n--
default:}}
return n,nil}
var V390=map[string][]int{"a":{1,2,3},"bb":{44},"ccc":nil}
const C390,D390=390*2,"x390"
func G391(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),391)}
type T392 struct{A int;B string;C []float64;D map[string]*T392}
func (t *T392)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F393(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=6
case xs[i]==k: n--
default:}}
return n,nil}
var V394=map[string][]int{"a":{1,2,3},"bb":{60},"ccc":nil}
const C394,D394=394*2,"x394"
func G395(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),395)}
type T396 struct{A int;B string;C []float64;D map[string]*T396}
func (t *T396)Sum()float64{s:=0.0;for _,v:=range t.C{s+=v};return s+float64(t.A)}
func F397(xs []int,k int)(int,error){if k<0{return 0,fmt.Errorf("bad %d",k)}
sort.Ints(xs);n:=0
for i:=0;i<len(xs);i++{switch {case xs[i]>k:n+=2
case xs[i]==k: n--
default:}}
return n,nil}
var V398=map[string][]int{"a":{1,2,3},"bb":{14},"ccc":nil}
const C398,D398=398*2,"x398"
func G399(s string)string{b:=strings.Builder{};for _,c:=range s{if c>='a'&&c<='z'{b.WriteRune(c-32)}else{b.WriteRune(c)}};return b.String()+fmt.Sprint(len(s),399)}
